/**
 * Iceberg's int-keyed maps (`column_sizes`, `value_counts`, …, `lower_bounds`, `upper_bounds`: Avro
 * arrays of `{key: int, value: long | bytes}` records) read lazily from manifests: the decoder only
 * skips over the array and keeps where it lies in the block; the entries are decoded on the first
 * access of any Map method. Planning without a filter never looks at the metrics, and a filter looks
 * at a few columns of some files, so most of these maps are never built.
 *
 * A `LazyAvroMap` is a `Map` for every use through its methods (get, has, size, iteration, forEach,
 * `new Map(m)`, spread); only reading the internal slots directly (structuredClone, postMessage) would
 * see it empty, which is why `toModel()` exists for such callers.
 */

/** Where the encoded array lies, and how its values are encoded. */
interface Source {
  buf: Uint8Array;
  start: number;
  end: number;
  bytes: boolean;
}

/** An Avro int/long varint (zig-zag) at `pos`; returns [value, next]. Longs beyond 2^53 come out inexact. */
function varint(buf: Uint8Array, pos: number): [number, number] {
  let n = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error('truncated map in manifest');
    n += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 128;
  }
  return [n % 2 === 0 ? n / 2 : -(n + 1) / 2, pos];
}

/** Position after the varint at `pos`. */
function skipVarint(buf: Uint8Array, pos: number): number {
  while (((buf[pos] ?? 0) & 0x80) !== 0) pos++;
  if (pos >= buf.length) throw new Error('truncated map in manifest');
  return pos + 1;
}

/**
 * Skips an encoded array of `{key: int, value: long | bytes}` records starting at `pos`; returns the
 * position after it.
 */
export function skipKeyValueArray(buf: Uint8Array, pos: number, bytes: boolean): number {
  for (;;) {
    let n: number;
    [n, pos] = varint(buf, pos);
    if (n === 0) return pos;
    if (n < 0) {
      let size: number;
      [size, pos] = varint(buf, pos);
      pos += size;
      if (pos > buf.length) throw new Error('truncated map in manifest');
      continue;
    }
    for (let i = 0; i < n; i++) {
      pos = skipVarint(buf, pos);
      if (bytes) {
        let len: number;
        [len, pos] = varint(buf, pos);
        pos += len;
        if (len < 0 || pos > buf.length) throw new Error('truncated map in manifest');
      } else pos = skipVarint(buf, pos);
    }
  }
}

/** The undecoded source of a lazy map (a non-enumerable property: equality checks do not see it). */
const SRC = Symbol('avro-source');

/**
 * A Map<number, number | Uint8Array> decoded from its Avro bytes on first use. Its `constructor` is
 * `Map`, so jest's equality treats it as the plain Map it stands for (node's isDeepStrictEqual also
 * compares prototypes: use `toModel()` there).
 */
export class LazyAvroMap<V extends number | Uint8Array> extends Map<number, V> {
  declare [SRC]: Source | undefined;

  /** @internal the decoder builds these; `buf` must stay unchanged while the map is unread. */
  static over<V extends number | Uint8Array>(buf: Uint8Array, start: number, end: number, bytes: boolean) {
    const m = new LazyAvroMap<V>();
    Object.defineProperty(m, SRC, { value: { buf, start, end, bytes }, writable: true });
    return m;
  }

  /** Whether `v` is a lazy map (instanceof cannot tell: the constructor is Map). */
  static is(v: unknown): v is LazyAvroMap<number | Uint8Array> {
    return v instanceof Map && Object.getPrototypeOf(v) === LazyAvroMap.prototype;
  }

  private load(): void {
    const s = this[SRC];
    if (!s) return;
    this[SRC] = undefined;
    const { buf, bytes } = s;
    let pos = s.start;
    for (;;) {
      let n: number;
      [n, pos] = varint(buf, pos);
      if (n === 0) break;
      if (n < 0) {
        n = -n;
        pos = skipVarint(buf, pos);
      }
      for (let i = 0; i < n; i++) {
        let key: number;
        [key, pos] = varint(buf, pos);
        if (bytes) {
          let len: number;
          [len, pos] = varint(buf, pos);
          super.set(key, new Uint8Array(buf.buffer, buf.byteOffset + pos, len) as V);
          pos += len;
        } else {
          let v: number;
          [v, pos] = varint(buf, pos);
          super.set(key, v as V);
        }
      }
    }
    if (pos !== s.end) throw new Error('corrupt map in manifest');
  }

  /** A plain Map with the same entries. */
  toModel(): Map<number, V> {
    return new Map(this);
  }

  override get size(): number {
    this.load();
    return super.size;
  }
  override get(key: number): V | undefined {
    this.load();
    return super.get(key);
  }
  override has(key: number): boolean {
    this.load();
    return super.has(key);
  }
  override set(key: number, value: V): this {
    this.load();
    return super.set(key, value);
  }
  override delete(key: number): boolean {
    this.load();
    return super.delete(key);
  }
  override clear(): void {
    if (this[SRC]) this[SRC] = undefined;
    super.clear();
  }
  override forEach(fn: (value: V, key: number, map: Map<number, V>) => void, thisArg?: unknown): void {
    this.load();
    super.forEach(fn, thisArg);
  }
  override keys(): MapIterator<number> {
    this.load();
    return super.keys();
  }
  override values(): MapIterator<V> {
    this.load();
    return super.values();
  }
  override entries(): MapIterator<[number, V]> {
    this.load();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[number, V]> {
    this.load();
    return super[Symbol.iterator]();
  }
}

Object.defineProperty(LazyAvroMap.prototype, 'constructor', { value: Map, writable: true, configurable: true });
