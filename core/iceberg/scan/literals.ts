/**
 * Converting filter literals to a column's type. A literal may fall between two values of the
 * type (3.5 for an int, a fraction finer than a decimal's scale or a timestamp's unit): then the
 * conversion gives the neighbours and binding adjusts the operator (`a < 3.5` → `a <= 3`).
 */
import { parseDecimal } from '../spec/json-values';
import { parseDate, parseTimeNanos, parseTimestampNanos } from '../spec/temporal';
import type { PrimitiveKind, PrimitiveValue } from '../spec/types';
import type { Literal } from './expression';

export type Converted =
  | { exact: PrimitiveValue }
  | { floor: PrimitiveValue; ceil: PrimitiveValue }
  /** Beyond the type's range on one side. */
  | { above: true }
  | { below: true };

const utf8 = new TextEncoder();
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** An integer-valued result from a scaled bigint: exact or its neighbours. */
function scaled(v: bigint, div: bigint, wrap: (x: bigint) => PrimitiveValue): Converted {
  const f = floorDiv(v, div);
  return f * div === v ? { exact: wrap(f) } : { floor: wrap(f), ceil: wrap(f + 1n) };
}

function integral(k: 'int' | 'long', lit: Literal): Converted | undefined {
  let v: bigint;
  if (typeof lit === 'bigint') v = lit;
  else if (typeof lit === 'number' || (typeof lit === 'string' && lit.trim() !== '' && !Number.isNaN(Number(lit)))) {
    const n = Number(lit);
    if (!Number.isFinite(n)) return n > 0 ? { above: true } : { below: true };
    if (Number.isInteger(n)) v = typeof lit === 'string' && /^-?\d+$/.test(lit.trim()) ? BigInt(lit.trim()) : BigInt(n);
    else return integralRange(k, { floor: BigInt(Math.floor(n)), ceil: BigInt(Math.ceil(n)) });
  } else return undefined;
  return integralRange(k, { exact: v });
}

function integralRange(k: 'int' | 'long', c: { exact: bigint } | { floor: bigint; ceil: bigint }): Converted {
  const [min, max] = k === 'int' ? [BigInt(INT_MIN), BigInt(INT_MAX)] : [-(2n ** 63n), 2n ** 63n - 1n];
  const lo = 'exact' in c ? c.exact : c.floor;
  const hi = 'exact' in c ? c.exact : c.ceil;
  if (lo > max) return { above: true };
  if (hi < min) return { below: true };
  const wrap = (x: bigint): PrimitiveValue => (k === 'int' ? Number(x) : x);
  return 'exact' in c ? { exact: wrap(c.exact) } : { floor: wrap(c.floor), ceil: wrap(c.ceil) };
}

function decimal(scale: number, lit: Literal): Converted | undefined {
  if (typeof lit === 'boolean' || lit instanceof Uint8Array) return undefined;
  const text = String(lit);
  const exact = parseDecimal(text, scale);
  if (exact !== undefined) return { exact };
  const fine = parseDecimal(text, scale + 40);
  return fine === undefined ? undefined : scaled(fine, 10n ** 40n, (x) => x);
}

function temporal(k: PrimitiveKind['kind'], lit: Literal): Converted | undefined {
  if (typeof lit === 'number' || typeof lit === 'bigint') {
    return k === 'date' ? integral('int', lit) : integral('long', lit);
  }
  if (typeof lit !== 'string') return undefined;
  if (k === 'time') {
    const ns = parseTimeNanos(lit);
    return ns === undefined ? undefined : scaled(ns, 1000n, (x) => x);
  }
  const ns = parseTimestampNanos(lit);
  if (ns === undefined) return undefined;
  if (k === 'date') {
    const d = parseDate(lit);
    return d !== undefined ? { exact: d } : scaled(ns, 86_400_000_000_000n, (x) => Number(x));
  }
  return k.endsWith('_ns') ? { exact: ns } : scaled(ns, 1000n, (x) => x);
}

/** Converts a literal to a value of the column kind; undefined when it cannot be one. */
export function convertLiteral(kind: PrimitiveKind, lit: Literal): Converted | undefined {
  switch (kind.kind) {
    case 'boolean':
      if (typeof lit === 'boolean') return { exact: lit };
      if (typeof lit === 'string' && /^(true|false)$/i.test(lit)) return { exact: lit.toLowerCase() === 'true' };
      return undefined;
    case 'int':
    case 'long':
      return integral(kind.kind, lit);
    case 'float':
    case 'double': {
      if (typeof lit === 'boolean' || lit instanceof Uint8Array) return undefined;
      const n = Number(lit);
      if (Number.isNaN(n) && !/^nan$/i.test(String(lit))) return undefined;
      return { exact: kind.kind === 'float' ? Math.fround(n) : n };
    }
    case 'decimal':
      return decimal(kind.scale, lit);
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return temporal(kind.kind, lit);
    case 'string':
      return lit instanceof Uint8Array ? undefined : { exact: String(lit) };
    case 'uuid':
      return typeof lit === 'string' && /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(lit)
        ? { exact: lit.toLowerCase().replace(/^(.{8})-?(.{4})-?(.{4})-?(.{4})-?(.{12})$/, '$1-$2-$3-$4-$5') }
        : undefined;
    case 'fixed':
    case 'binary':
      if (lit instanceof Uint8Array) return { exact: lit };
      return typeof lit === 'string' ? { exact: utf8.encode(lit) } : undefined;
    default:
      return undefined;
  }
}
