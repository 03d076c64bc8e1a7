/**
 * JSON single-value serialization (format/spec.md Appendix D, "JSON single-value serialization"),
 * used by `initial-default` and `write-default`: decode to and encode from {@link PrimitiveValue}.
 */
import { InvalidIcebergError } from '../errors';
import { formatDate, formatTime, formatTimestamp, parseDate, parseTimeNanos, parseTimestampNanos } from './temporal';
import type { PrimitiveType, PrimitiveValue } from './types';
import { kindOf } from './values';

function bad(type: string, v: unknown): never {
  throw new InvalidIcebergError(
    `bad json value ${JSON.stringify(typeof v === 'bigint' ? String(v) : v)} for type ${type}`,
  );
}

/** Parses a decimal string like `-14.20` into its unscaled value at `scale`. */
export function parseDecimal(text: string, scale: number): bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = `${m[2]}${m[3] ?? ''}`;
  const shift = scale - (m[3] ?? '').length + Number(m[4] ?? 0);
  let v = BigInt(digits || '0');
  if (shift >= 0) v *= 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    if (v % div !== 0n) return undefined; // more fraction digits than the scale holds
    v /= div;
  }
  return m[1] === '-' ? -v : v;
}

/** The decimal text of an unscaled value, e.g. (1420n, 2) → `14.20`. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const s = (neg ? -unscaled : unscaled).toString();
  if (scale <= 0) return (neg ? '-' : '') + s + '0'.repeat(-scale);
  const padded = s.padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

function hexToBytes(type: string, s: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) bad(type, s);
  return Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

/** Decodes the JSON single-value form of a primitive. */
export function valueFromJson(type: PrimitiveType, v: unknown): PrimitiveValue {
  const k = kindOf(type);
  const str = () => (typeof v === 'string' ? v : bad(type, v));
  switch (k.kind) {
    case 'boolean':
      return typeof v === 'boolean' ? v : bad(type, v);
    case 'int':
    case 'float':
    case 'double':
      return typeof v === 'number' || typeof v === 'bigint' ? Number(v) : bad(type, v);
    case 'long':
      return typeof v === 'number' || typeof v === 'bigint' ? BigInt(v) : bad(type, v);
    case 'decimal':
      return parseDecimal(String(v), k.scale) ?? bad(type, v);
    case 'date':
      return parseDate(str()) ?? bad(type, v);
    case 'time': {
      const n = parseTimeNanos(str());
      return n === undefined ? bad(type, v) : n / 1000n;
    }
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns': {
      const n = parseTimestampNanos(str());
      if (n === undefined) bad(type, v);
      return k.kind.endsWith('_ns') ? n : n / 1000n;
    }
    case 'string':
      return str();
    case 'uuid':
      return str().toLowerCase();
    case 'fixed':
    case 'binary':
      return hexToBytes(type, str());
    default:
      return bad(type, v);
  }
}

/** Encodes a primitive value in its JSON single-value form. */
export function valueToJson(type: PrimitiveType, v: PrimitiveValue): unknown {
  const k = kindOf(type);
  switch (k.kind) {
    case 'decimal':
      return formatDecimal(BigInt(v as bigint), k.scale);
    case 'date':
      return formatDate(Number(v));
    case 'time':
      return formatTime(BigInt(v as bigint));
    case 'timestamp':
    case 'timestamptz':
      return formatTimestamp(BigInt(v as bigint), 'us').replace(/$/, k.kind === 'timestamptz' ? '+00:00' : '');
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return formatTimestamp(BigInt(v as bigint), 'ns').replace(/$/, k.kind === 'timestamptz_ns' ? '+00:00' : '');
    case 'fixed':
    case 'binary':
      return Array.from(v as Uint8Array, (b) => b.toString(16).padStart(2, '0')).join('');
    default:
      return v;
  }
}

/**
 * The `initial-default` (values of rows written before the field existed) or `write-default` of a
 * primitive field as a model value; null when the field has none (spec: "Default values").
 */
export function fieldDefault(
  field: { type: unknown; 'initial-default'?: unknown; 'write-default'?: unknown },
  which: 'initial-default' | 'write-default' = 'initial-default',
): PrimitiveValue | null {
  const v = field[which];
  if (v === undefined || v === null || typeof field.type !== 'string') return null;
  return valueFromJson(field.type, v);
}
