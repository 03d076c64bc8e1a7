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

/** Position after the last varint read by `varint` (module state: no tuple per value). */
let at = 0;

/** The Avro int/long varint (zig-zag) at `pos`, setting `at` after it. Longs beyond 2^53 come out inexact. */
function varint(buf: Uint8Array, pos: number): number {
  let n = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error('truncated map in manifest');
    n += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 128;
  }
  at = pos;
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
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
    const n = varint(buf, pos);
    pos = at;
    if (n === 0) return pos;
    if (n < 0) {
      const size = varint(buf, pos);
      pos = at + size;
      if (size < 0 || pos > buf.length) throw new Error('truncated map in manifest');
      continue;
    }
    for (let i = 0; i < n; i++) {
      pos = skipVarint(buf, pos);
      if (bytes) {
        const len = varint(buf, pos);
        pos = at + len;
        if (len < 0 || pos > buf.length) throw new Error('truncated map in manifest');
      } else pos = skipVarint(buf, pos);
    }
  }
}

// The undecoded source, in symbol-keyed fields: jest's Map equality looks at entries only, and no
// extra object is allocated per map.
const BUF = Symbol('buf');
const START = Symbol('start');
const END = Symbol('end');
const BYTES = Symbol('bytes');

/**
 * A Map<number, number | Uint8Array> decoded from its Avro bytes on first use. Its `constructor` is
 * `Map`, so jest's equality treats it as the plain Map it stands for (node's isDeepStrictEqual also
 * compares prototypes: use `toModel()` there).
 */
export class LazyAvroMap<V extends number | Uint8Array> extends Map<number, V> {
  [BUF]: Uint8Array | undefined = undefined;
  [START] = 0;
  [END] = 0;
  [BYTES] = false;

  /** @internal the decoder builds these; `buf` must stay unchanged while the map is unread. */
  static over<V extends number | Uint8Array>(buf: Uint8Array, start: number, end: number, bytes: boolean) {
    const m = new LazyAvroMap<V>();
    m[BUF] = buf;
    m[START] = start;
    m[END] = end;
    m[BYTES] = bytes;
    return m;
  }

  /** Whether `v` is a lazy map (`instanceof Map` cannot tell: the constructor is Map). */
  static is(v: unknown): v is LazyAvroMap<number | Uint8Array> {
    return v instanceof LazyAvroMap;
  }

  private load(): void {
    const buf = this[BUF];
    if (!buf) return;
    this[BUF] = undefined;
    const bytes = this[BYTES];
    let pos = this[START];
    for (;;) {
      let n = varint(buf, pos);
      pos = at;
      if (n === 0) break;
      if (n < 0) {
        n = -n;
        pos = skipVarint(buf, pos);
      }
      at = pos;
      for (let i = 0; i < n; i++) {
        const key = varint(buf, at);
        if (bytes) {
          const len = varint(buf, at);
          super.set(key, new Uint8Array(buf.buffer, buf.byteOffset + at, len) as V);
          at += len;
        } else super.set(key, varint(buf, at) as V);
      }
      pos = at;
    }
    if (pos !== this[END]) throw new Error('corrupt map in manifest');
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
    this[BUF] = undefined;
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
