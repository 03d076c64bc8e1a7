/**
 * The benchmark data: `sales.orders` rows of icefloe's generator (deterministic in seed and row number), as
 * Arrow batches and as the CSV Postgres reads for the same values.
 */
import type * as arrow from 'apache-arrow';
import { ordersBatch } from '../../core/movement/sources/generator';

const BATCH = 50_000;

/** Rows [from, to) of the generator's `sales.orders` with `seed`, in batches of 50,000. */
export function* orderBatches(seed: number, from: number, to: number): Generator<arrow.RecordBatch> {
  for (let s = from; s < to; s += BATCH) yield ordersBatch(seed, s, Math.min(to, s + BATCH));
}

/** Microseconds since the epoch as ISO-8601 with microseconds, UTC. */
function isoMicros(us: bigint): string {
  const ms = us / 1000n;
  const iso = new Date(Number(ms)).toISOString();
  return `${iso.slice(0, -1)}${String(us - ms * 1000n).padStart(3, '0')}Z`;
}

function values<T>(b: arrow.RecordBatch, name: string): T {
  return b.getChild(name)?.data[0]?.values as T;
}

/** One batch as CSV lines, columns in table order (order_id … updated_at). */
export function batchCsv(b: arrow.RecordBatch): string {
  const id = values<BigInt64Array>(b, 'order_id');
  const cust = values<BigInt64Array>(b, 'customer_id');
  const qty = values<Int32Array>(b, 'quantity');
  const amount = values<Uint32Array>(b, 'amount');
  const orderTs = values<BigInt64Array>(b, 'order_ts');
  const updated = values<BigInt64Array>(b, 'updated_at');
  const status = b.getChild('status');
  const lines: string[] = new Array(b.numRows);
  for (let i = 0; i < b.numRows; i++) {
    const cents = amount[4 * i] as number; // unscaled, below 2^32 (see the generator)
    lines[i] =
      `${id[i]},${cust[i]},${qty[i]},${(cents / 100).toFixed(2)},${status?.get(i)},` +
      `${isoMicros(orderTs[i] as bigint)},${isoMicros(updated[i] as bigint)}`;
  }
  return `${lines.join('\n')}\n`;
}

/** Rows [from, to) as CSV parts (one per batch). */
export function* ordersCsv(seed: number, from: number, to: number): Generator<string> {
  for (const b of orderBatches(seed, from, to)) yield batchCsv(b);
}
