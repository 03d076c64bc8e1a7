/**
 * Lossless value access on Arrow data. arrow-js's own `get` turns microsecond timestamps into
 * float milliseconds and decimals into BN objects; Iceberg needs exact values, so this reads the
 * buffers directly and returns the in-memory forms of iceberg/spec/types.ts `PrimitiveValue`:
 * int/date → number, long/time/timestamp → bigint (timestamps in µs, `_ns` kept in ns when asked),
 * decimal → bigint unscaled, string, Uint8Array for binary; structs as arrays in child order,
 * lists as arrays, maps as `[key, value]` pairs. Null → null.
 */
import { type Data, type DataType, TimeUnit, Type, type Vector } from 'apache-arrow';

/** Reads row `i` of a column. */
export type Getter = (i: number) => unknown;

const utf8 = new TextDecoder();

function validity(data: Data): (i: number) => boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) return () => true;
  const offset = data.offset;
  return (i) => ((bitmap[(offset + i) >> 3] ?? 0) & (1 << ((offset + i) & 7))) !== 0;
}

function toBigIntSigned(words: Uint32Array, start: number, count: number): bigint {
  let v = 0n;
  for (let w = count - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[start + w] ?? 0);
  const bits = BigInt(count * 32);
  return v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
}

function unitToMicros(unit: TimeUnit): (v: bigint) => bigint {
  switch (unit) {
    case TimeUnit.SECOND:
      return (v) => v * 1_000_000n;
    case TimeUnit.MILLISECOND:
      return (v) => v * 1000n;
    case TimeUnit.NANOSECOND:
      // Floor division: pre-1970 instants must round toward -infinity.
      return (v) => (v >= 0n ? v / 1000n : -((-v + 999n) / 1000n));
    default:
      return (v) => v;
  }
}

function primitiveGetter(data: Data, type: DataType): Getter {
  const o = data.offset;
  const values = data.values as unknown as ArrayLike<number | bigint> & { [i: number]: number | bigint };
  switch (type.typeId) {
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      return (i) => ((bits[(o + i) >> 3] ?? 0) & (1 << ((o + i) & 7))) !== 0;
    }
    case Type.Int: {
      const { bitWidth } = type as unknown as { bitWidth: number };
      if (bitWidth === 64) return (i) => BigInt(values[o + i] as bigint);
      return (i) => Number(values[o + i]);
    }
    case Type.Float:
      return (i) => Number(values[o + i]);
    case Type.Decimal: {
      const words = data.values as Uint32Array;
      const stride = (type as unknown as { bitWidth: number }).bitWidth / 32;
      return (i) => toBigIntSigned(words, (o + i) * stride, stride);
    }
    case Type.Date: {
      if ((type as unknown as { unit: number }).unit === 0) return (i) => Number(values[o + i]);
      return (i) => Math.floor(Number(values[o + i]) / 86_400_000);
    }
    case Type.Time:
    case Type.Timestamp: {
      const conv = unitToMicros((type as unknown as { unit: TimeUnit }).unit);
      return (i) => conv(BigInt(values[o + i] as number | bigint));
    }
    default:
      return binaryGetter(data, type);
  }
}

function binaryGetter(data: Data, type: DataType): Getter {
  const o = data.offset;
  const bytes = data.values as Uint8Array;
  switch (type.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const offsets = data.valueOffsets as unknown as ArrayLike<number | bigint>;
      const asText = type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8;
      return (i) => {
        const slice = bytes.subarray(Number(offsets[o + i]), Number(offsets[o + i + 1]));
        return asText ? utf8.decode(slice) : slice.slice();
      };
    }
    case Type.FixedSizeBinary: {
      const width = (type as unknown as { byteWidth: number }).byteWidth;
      return (i) => bytes.slice((o + i) * width, (o + i + 1) * width);
    }
    case Type.Null:
      return () => null;
    default:
      throw new Error(`unsupported arrow type ${String(type)}`);
  }
}

function nestedGetter(data: Data, type: DataType): Getter {
  const o = data.offset;
  switch (type.typeId) {
    case Type.Struct: {
      const children = data.children.map((c) => dataGetter(c));
      return (i) => children.map((g) => g(o + i));
    }
    case Type.List:
    case Type.LargeList:
    case Type.Map: {
      const offsets = data.valueOffsets as unknown as ArrayLike<number | bigint>;
      const child = data.children[0] as Data;
      const g = dataGetter(child);
      return (i) => {
        const out: unknown[] = [];
        for (let j = Number(offsets[o + i]); j < Number(offsets[o + i + 1]); j++) out.push(g(j));
        return out;
      };
    }
    case Type.FixedSizeList: {
      const size = (type as unknown as { listSize: number }).listSize;
      const g = dataGetter(data.children[0] as Data);
      return (i) => Array.from({ length: size }, (_, j) => g((o + i) * size + j));
    }
    case Type.Dictionary: {
      const dict = data.dictionary as Vector | undefined;
      const indices = data.values as unknown as ArrayLike<number | bigint>;
      const g = dict ? vectorGetter(dict) : () => null;
      return (i) => g(Number(indices[o + i]));
    }
    default:
      return primitiveGetter(data, type);
  }
}

/** A getter over one Arrow Data chunk (index relative to the chunk; the chunk's offset is applied). */
export function dataGetter(data: Data): Getter {
  const valid = validity(data);
  const get = nestedGetter(data, data.type);
  return (i) => (valid(i) ? get(i) : null);
}

/** A getter over a whole (possibly chunked) Vector. */
export function vectorGetter(vector: Vector): Getter {
  const chunks = vector.data.map((d) => ({ length: d.length, get: dataGetter(d) }));
  if (chunks.length === 1) return (chunks[0] as { get: Getter }).get;
  const starts: number[] = [];
  let total = 0;
  for (const c of chunks) {
    starts.push(total);
    total += c.length;
  }
  return (i) => {
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= i) lo = mid;
      else hi = mid - 1;
    }
    return (chunks[lo] as { get: Getter }).get(i - (starts[lo] as number));
  };
}
