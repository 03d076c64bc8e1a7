/**
 * Seeded mutations of real inputs for the fuzz tests: text edits that stress a YAML/JSON parser (cut, repeat,
 * splice tokens, swap lines, replace scalars) and byte edits that stress a binary decoder (bit flips, extreme
 * bytes, truncation, inserted runs). fast-check drives the choices, so a failure shrinks to a small edit list.
 */
import fc from 'fast-check';
import { IcefloeError } from '../../core/errors';

/** Tokens that change the structure of YAML or JSON text. */
const TOKENS = [
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '"',
  "'",
  '\n',
  '  ',
  '- ',
  '---\n',
  '&a ',
  '*a',
  '!!binary ',
  '<<: *a\n',
  '#',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own ${ENV} syntax, as text
  '${X}',
  '${',
  'null',
  '-1',
  '9223372036854775808',
  '1e309',
  'NaN',
  'true',
  '\u0000',
  '\uffff',
  '\\u0000',
  '🧊',
  'dataos://',
  '../../etc',
  'x'.repeat(300),
];

/** One edit of a text, applied at a relative position in [0, 1). */
export type TextEdit =
  | { op: 'cut'; at: number; len: number }
  | { op: 'dup'; at: number; len: number }
  | { op: 'insert'; at: number; token: string }
  | { op: 'swapLines'; a: number; b: number }
  | { op: 'scalar'; at: number; token: string };

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat(200) }),
  fc.record({ op: fc.constant('dup' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat(200) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })),
  }),
  fc.record({
    op: fc.constant('swapLines' as const),
    a: fc.double({ min: 0, max: 1, noNaN: true }),
    b: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    op: fc.constant('scalar' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    token: fc.constantFrom(...TOKENS),
  }),
);

/** Applies edits to a text. `scalar` replaces the word (or number) nearest the position. */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  let t = text;
  for (const e of edits) {
    const pos = (x: number) => Math.min(t.length, Math.floor(x * t.length));
    if (e.op === 'cut') t = t.slice(0, pos(e.at)) + t.slice(pos(e.at) + e.len);
    else if (e.op === 'dup') t = t.slice(0, pos(e.at) + e.len) + t.slice(pos(e.at));
    else if (e.op === 'insert') t = t.slice(0, pos(e.at)) + e.token + t.slice(pos(e.at));
    else if (e.op === 'swapLines') {
      const lines = t.split('\n');
      const i = Math.floor(e.a * lines.length);
      const j = Math.floor(e.b * lines.length);
      [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
      t = lines.join('\n');
    } else {
      const p = pos(e.at);
      const m = /[\w.-]+/.exec(t.slice(p));
      if (m) t = t.slice(0, p + m.index) + e.token + t.slice(p + m.index + m[0].length);
    }
  }
  return t;
}

/** One edit of a byte array at a relative position. */
export type ByteEdit =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: number[] }
  | { op: 'cut'; at: number; len: number };

const at = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
export const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('set' as const), at, value: fc.constantFrom(0, 1, 0x7f, 0x80, 0xfe, 0xff) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      at,
      bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 16 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cut' as const), at, len: fc.nat(64) }) },
);

/** Applies edits to a copy of `bytes`. */
export function applyByteEdits(bytes: Uint8Array, edits: ByteEdit[]): Uint8Array {
  let b = Buffer.from(bytes);
  for (const e of edits) {
    const p = Math.floor(e.at * b.length);
    if (e.op === 'flip' && b.length > 0) b[p] = (b[p] as number) ^ (1 << e.bit);
    else if (e.op === 'set' && b.length > 0) b[p] = e.value;
    else if (e.op === 'truncate') b = b.subarray(0, p);
    else if (e.op === 'insert') b = Buffer.concat([b.subarray(0, p), Buffer.from(e.bytes), b.subarray(p)]);
    else if (e.op === 'cut') b = Buffer.concat([b.subarray(0, p), b.subarray(p + e.len)]);
  }
  return new Uint8Array(b);
}

/** What one hostile input did: a result, a named icefloe error, or something that escaped. */
export interface Outcome {
  kind: 'ok' | 'named' | 'escaped';
  name?: string;
  message?: string;
  ms: number;
}

/** Runs `fn` on an input and classifies how it ended; errors other than IcefloeError are `escaped`. */
export async function outcomeOf(fn: () => unknown): Promise<Outcome> {
  const t0 = Date.now();
  try {
    await fn();
    return { kind: 'ok', ms: Date.now() - t0 };
  } catch (err) {
    const ms = Date.now() - t0;
    if (err instanceof IcefloeError) return { kind: 'named', name: err.name, message: err.message, ms };
    const e = err as Error;
    return { kind: 'escaped', name: e?.name ?? typeof err, message: String(e?.message ?? err).slice(0, 300), ms };
  }
}

/**
 * A ceiling per input that separates "slow" from "hung" (these are not timing assertions: a parse of a few
 * KiB that has not finished after this long is stuck in a loop or an allocation storm).
 */
export const HANG_MS = 5_000;
