/**
 * `COPY … TO STDOUT` for node-postgres as a Readable of raw COPY bytes: a pg Submittable that takes the
 * connection's socket during the COPY (as pg-copy-streams' `to` does) and strips the protocol framing in place —
 * one Buffer per socket read, no object per CopyData message (PostgreSQL sends one message per row, so a
 * per-message slice, as pg-copy-streams takes, costs an allocation per row).
 *
 * Messages during COPY out (protocol §55.2.6): CopyOutResponse `H`, CopyData `d` (kept), CopyDone `c` (end),
 * ErrorResponse `E` (handed back to pg, which fails the query), NoticeResponse/ParameterStatus/
 * NotificationResponse (skipped). Everything after CopyDone (CommandComplete, ReadyForQuery) goes back to pg.
 * Backpressure: the socket is read only while the consumer wants data.
 */
import { Readable } from 'node:stream';

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
/** Messages read during COPY out: CopyData, CopyDone, CopyOutResponse, Notice, ParameterStatus, Notification. */
const KNOWN = new Set([COPY_DATA, COPY_DONE, 0x48, 0x4e, 0x53, 0x41]);

interface PgConnection {
  stream: NodeJS.ReadableStream & Readable;
  query(text: string): void;
}

/** A pg Submittable: `client.query(new CopyOut(sql))` returns it; read it as a stream of bytes. */
export class CopyOut extends Readable {
  rowCount = 0;
  private connection?: PgConnection;
  private pgHandler?: (chunk: Buffer) => void;
  private readonly onReadable = () => this.forward();
  private wanted = false;
  private forwarding = false;
  /** Message being read: its code and the bytes of its body still to come (−1: reading a header). */
  private code = 0;
  private remaining = -1;
  /** Header bytes (1 + 4) split across two socket reads. */
  private partial?: Buffer;
  private ended = false;

  constructor(private readonly text: string) {
    super();
  }

  /** Called by pg when the query is sent. */
  submit(connection: PgConnection): void {
    this.connection = connection;
    const s = connection.stream;
    const listeners = s.listeners('data') as ((chunk: Buffer) => void)[];
    if (listeners.length !== 1) throw new Error(`copy out: expected one data listener, found ${listeners.length}`);
    this.pgHandler = listeners[0];
    s.removeListener('data', this.pgHandler as (chunk: Buffer) => void);
    s.pause();
    s.on('readable', this.onReadable);
    connection.query(this.text);
  }

  override _read(): void {
    this.wanted = true;
    this.forward();
  }

  private forward(): void {
    if (this.forwarding || !this.wanted || !this.connection) return;
    this.forwarding = true;
    const s = this.connection.stream;
    while (this.wanted && this.connection) {
      const chunk = s.read() as Buffer | null;
      if (chunk === null) break;
      this.parse(chunk);
    }
    this.forwarding = false;
  }

  /** Strips the framing of one socket read in place; pushes the CopyData bytes it held. */
  private parse(input: Buffer): void {
    let b = input;
    if (this.partial) {
      b = Buffer.concat([this.partial, input]);
      this.partial = undefined;
    }
    const end = b.length;
    let p = 0;
    let w = 0;
    while (p < end) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, end - p);
        if (this.code === COPY_DATA) {
          if (w !== p) b.copyWithin(w, p, p + n);
          w += n;
        }
        p += n;
        this.remaining -= n;
        continue;
      }
      if (this.remaining === 0) {
        // A whole message has been read.
        this.remaining = -1;
        if (this.code === COPY_DONE) {
          this.finish(b, w, p, true);
          return;
        }
      }
      const code = b[p] as number;
      // An error (or any message that does not belong in COPY out) goes to pg, which fails the query.
      if (code !== COPY_DATA && !KNOWN.has(code)) {
        this.finish(b, w, p, false);
        return;
      }
      if (p + 5 > end) {
        this.partial = Buffer.from(b.subarray(p));
        break;
      }
      this.code = code;
      this.remaining = b.readUInt32BE(p + 1) - 4;
      p += 5;
    }
    if (this.remaining === 0 && this.code === COPY_DONE) {
      this.finish(b, w, end, true);
      return;
    }
    if (w > 0) this.wanted = this.push(b.subarray(0, w));
  }

  /**
   * Pushes the last bytes and gives the socket (and the bytes from `rest` on) back to pg; after CopyDone the
   * stream ends, otherwise pg reports the failure through `handleError`.
   */
  private finish(b: Buffer, w: number, rest: number, done: boolean): void {
    if (w > 0) this.push(b.subarray(0, w));
    const connection = this.connection as PgConnection;
    const s = connection.stream;
    s.removeListener('readable', this.onReadable);
    s.addListener('data', this.pgHandler as (chunk: Buffer) => void);
    this.connection = undefined;
    (this.pgHandler as (chunk: Buffer) => void)(b.subarray(rest));
    this.pgHandler = undefined;
    this.wanted = false;
    process.nextTick(() => s.resume());
    if (done) this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.push(null);
  }

  /** pg: the query failed (an ErrorResponse handed back, or the connection ended). */
  handleError(err: Error): void {
    this.destroy(err);
  }

  /** pg: `COPY <n>`. */
  handleCommandComplete(msg: { text?: string }): void {
    const m = /COPY (\d+)/.exec(msg?.text ?? '');
    if (m) this.rowCount = Number(m[1]);
  }

  /** pg: the statement is over; a COPY that ended without CopyDone ends here (the decoder then finds no trailer). */
  handleReadyForQuery(): void {
    if (!this.destroyed) this.end();
  }
}
