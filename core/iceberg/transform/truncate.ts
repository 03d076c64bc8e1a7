/** truncate[W] (format/spec.md "Truncate Transform Details"). */
import { InvalidTransformError } from '../errors';
import type { PrimitiveKind, PrimitiveValue } from '../spec/types';

/**
 * Numbers: `v - (((v % W) + W) % W)` (decimals on the unscaled value); strings: the first W code
 * points; binary: the first W bytes.
 */
export function truncateValue(k: PrimitiveKind, v: PrimitiveValue, width: number): PrimitiveValue {
  switch (k.kind) {
    case 'int': {
      const n = Number(v);
      return n - (((n % width) + width) % width);
    }
    case 'long':
    case 'decimal': {
      const n = BigInt(v as bigint);
      const w = BigInt(width);
      return n - (((n % w) + w) % w);
    }
    case 'string': {
      const s = String(v);
      if (s.length <= width) return s;
      // Count code points, not UTF-16 units.
      let i = 0;
      let cps = 0;
      while (i < s.length && cps < width) {
        const c = s.charCodeAt(i);
        i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
        cps++;
      }
      return s.slice(0, i);
    }
    case 'binary':
    case 'fixed':
      return (v as Uint8Array).subarray(0, width).slice();
    default:
      throw new InvalidTransformError(`truncate cannot be applied to type ${k.kind}`);
  }
}
