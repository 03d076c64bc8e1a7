/**
 * An append-only byte buffer for the COPY encoder: numbers and dates are written as ASCII digits straight into
 * the buffer (no intermediate strings), and full buffers are handed out in large pieces.
 */

const HEX = new TextEncoder().encode('0123456789abcdef');
/** "00" … "99" as ASCII pairs: two digits per division. */
const PAIRS = new TextEncoder().encode(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''));
const ENCODER = new TextEncoder();

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(private readonly pieceSize = 1 << 20) {
    this.buf = new Uint8Array(pieceSize + 1024);
  }

  /** Makes room for `n` more bytes (grows the current piece; pieces are never reused once taken). */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n + 1024));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Whether the current piece is full enough to hand out. */
  get full(): boolean {
    return this.pos >= this.pieceSize;
  }

  /** Hands out the bytes written so far and starts a new piece. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(this.pieceSize + 1024);
    this.pos = 0;
    return out;
  }

  byte(c: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** ASCII-only text (digits, punctuation). */
  ascii(s: string): void {
    this.ensure(s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.pos += ENCODER.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  /** A non-negative safe integer, zero-padded to `width` digits. */
  digits(v: number, width = 1): void {
    if (v >= 100000000) {
      // Split in two halves below 1e8 so the digit loop stays in int32 arithmetic.
      const hi = Math.floor(v / 100000000);
      this.digits(hi, width - 8);
      this.digits(v - hi * 100000000, 8);
      return;
    }
    let n =
      v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : 8;
    if (n < width) n = width;
    if (this.pos + n > this.buf.length) this.ensure(n);
    const b = this.buf;
    let p = this.pos + n;
    let x = v | 0;
    while (x >= 100) {
      const q = (x / 100) | 0;
      const r = (x - q * 100) << 1;
      b[--p] = PAIRS[r + 1] as number;
      b[--p] = PAIRS[r] as number;
      x = q;
    }
    if (x >= 10) {
      b[--p] = PAIRS[(x << 1) + 1] as number;
      b[--p] = PAIRS[x << 1] as number;
    } else b[--p] = 48 + x;
    while (p > this.pos) b[--p] = 48;
    this.pos += n;
  }

  /** Exactly two digits (0–99). */
  two(v: number): void {
    if (this.pos + 2 > this.buf.length) this.ensure(2);
    this.buf[this.pos++] = PAIRS[v << 1] as number;
    this.buf[this.pos++] = PAIRS[(v << 1) + 1] as number;
  }

  /** A safe integer (may be negative). */
  int(v: number): void {
    if (v < 0) {
      this.byte(45);
      this.digits(-v);
    } else this.digits(v);
  }

  /** A few bytes (prefixes): a byte loop beats `set` for tiny sources. */
  small(src: Uint8Array): void {
    const n = src.length;
    if (this.pos + n > this.buf.length) this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = src[i] as number;
    this.pos = p;
  }

  /** Bytes as lower-case hex. */
  hex(src: Uint8Array, start: number, end: number): void {
    this.ensure((end - start) * 2);
    const b = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      const c = src[i] as number;
      b[p++] = HEX[c >> 4] as number;
      b[p++] = HEX[c & 15] as number;
    }
    this.pos = p;
  }

  /**
   * Copies bytes escaping them for the COPY text format (PG manual, COPY "File Formats": backslash, newline,
   * carriage return and tab are written as `\\`, `\n`, `\r`, `\t`).
   */
  copyEscaped(src: Uint8Array, start: number, end: number): void {
    this.ensure((end - start) * 2);
    const b = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) {
      const c = src[i] as number;
      if (c > 92 || (c !== 92 && c > 13)) b[p++] = c;
      else if (c === 92) {
        b[p++] = 92;
        b[p++] = 92;
      } else if (c === 10) {
        b[p++] = 92;
        b[p++] = 110;
      } else if (c === 13) {
        b[p++] = 92;
        b[p++] = 114;
      } else if (c === 9) {
        b[p++] = 92;
        b[p++] = 116;
      } else b[p++] = c;
    }
    this.pos = p;
  }

  /** Copies bytes as the body of a double-quoted array element (`"` and `\` get a backslash). */
  arrayQuoted(src: Uint8Array, start: number, end: number): void {
    this.ensure((end - start) * 2 + 2);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 34;
    for (let i = start; i < end; i++) {
      const c = src[i] as number;
      if (c === 34 || c === 92) b[p++] = 92;
      b[p++] = c;
    }
    b[p++] = 34;
    this.pos = p;
  }
}
