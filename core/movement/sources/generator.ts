/**
 * The `generator` source (depot `type: generator`): deterministic rows computed from (seed, row number), so
 * any chunk can be generated alone, in any process, and the same seed always yields the same table. The
 * quickstart uses it to create `sales.orders` before moving it on.
 *
 * Incremental: the cursor records seed and row count; a later run reads only rows added since (none when the
 * depot is unchanged), and a changed seed or a smaller row count is a full read.
 */
import * as arrow from 'apache-arrow';
import type { ChunkPointer, JobState, RunContext, Source, SourcePlan } from '../../connectors/types';
import { InvalidInputError } from '../../errors';
import type { Endpoint, GeneratorDepotSpec, JobOptions } from '../../manifest/types';
import { schemaToJson } from '../schema-json';

/** One chunk: the half-open row range [from, to). */
export interface GeneratorChunkSpec {
  table: string;
  seed: number;
  from: number;
  to: number;
}

const FIELD_ID = 'PARQUET:field_id';
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];
/** 2024-01-01T00:00:00Z in microseconds. */
const BASE_TS_US = 1_704_067_200_000_000n;
const ROWS_PER_BATCH = 8192;
const DEFAULT_CHUNK_ROWS = 50_000;

const field = (name: string, type: arrow.DataType, id: number, nullable = true) =>
  new arrow.Field(name, type, nullable, new Map([[FIELD_ID, String(id)]]));

/** The schema of `sales.orders` (Iceberg field ids 1..7 in `PARQUET:field_id`). */
export const ORDERS_SCHEMA = new arrow.Schema([
  field('order_id', new arrow.Int64(), 1, false),
  field('customer_id', new arrow.Int64(), 2),
  field('quantity', new arrow.Int32(), 3),
  field('amount', new arrow.Decimal(2, 12, 128), 4),
  field('status', new arrow.Utf8(), 5),
  field('order_ts', new arrow.TimestampMicrosecond('UTC'), 6),
  field('updated_at', new arrow.TimestampMicrosecond('UTC'), 7),
]);

const TABLES: Record<string, arrow.Schema> = { 'sales.orders': ORDERS_SCHEMA };

/** murmur3's 32-bit finalizer: a cheap, well-mixed hash of (seed, row, column). */
function hash(seed: number, row: number, column: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(row + 1, 0x85ebca6b) ^ Math.imul(column + 1, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Rows [from, to) of `sales.orders` as one record batch. */
export function ordersBatch(seed: number, from: number, to: number): arrow.RecordBatch {
  const n = to - from;
  const orderId = new BigInt64Array(n);
  const customer = new BigInt64Array(n);
  const quantity = new Int32Array(n);
  const amount = new Uint32Array(4 * n);
  const status: string[] = new Array(n);
  const orderTs = new BigInt64Array(n);
  const updatedAt = new BigInt64Array(n);
  for (let j = 0; j < n; j++) {
    const i = from + j;
    orderId[j] = BigInt(i + 1);
    customer[j] = BigInt(1 + (hash(seed, i, 1) % 5000));
    quantity[j] = 1 + (hash(seed, i, 2) % 10);
    amount[4 * j] = 500 + (hash(seed, i, 3) % 200_000); // unscaled cents, 5.00 .. 2004.99
    status[j] = STATUSES[hash(seed, i, 4) % STATUSES.length] as string;
    const ts = BASE_TS_US + BigInt(i) * 30_000_000n + BigInt(hash(seed, i, 5) % 30_000_000);
    orderTs[j] = ts;
    updatedAt[j] = ts + BigInt(hash(seed, i, 6) % 604_800) * 1_000_000n;
  }
  const f = ORDERS_SCHEMA.fields;
  const data = (k: number, values: ArrayLike<unknown>) =>
    arrow.makeData({ type: f[k]?.type, length: n, data: values } as never) as arrow.Data;
  const children = [
    data(0, orderId),
    data(1, customer),
    data(2, quantity),
    data(3, amount),
    arrow.vectorFromArray(status, new arrow.Utf8()).data[0] as arrow.Data,
    data(5, orderTs),
    data(6, updatedAt),
  ];
  return new arrow.RecordBatch(ORDERS_SCHEMA, arrow.makeData({ type: new arrow.Struct(f), length: n, children }));
}

function tableOf(endpoint: Endpoint, options: JobOptions): string {
  const t =
    options.sourceTable ??
    (endpoint.collection && endpoint.dataset ? `${endpoint.collection}.${endpoint.dataset}` : undefined);
  if (!t || !TABLES[t]) {
    throw new InvalidInputError(
      `${endpoint.address}: generator source-table must be one of ${Object.keys(TABLES).join(', ')}; got ${t ?? 'nothing'}`,
    );
  }
  return t;
}

/** Parses `seed=<s>;rows=<n>`. */
function parseCursor(c: string | undefined): { seed: number; rows: number } | undefined {
  const m = c ? /^seed=(-?\d+);rows=(\d+)$/.exec(c) : null;
  return m ? { seed: Number(m[1]), rows: Number(m[2]) } : undefined;
}

/** The generator source of one depot. */
export class GeneratorSource implements Source {
  constructor(
    private readonly endpoint: Endpoint,
    private readonly spec: GeneratorDepotSpec,
  ) {}

  async plan(_ctx: RunContext, options: JobOptions, previous: JobState | undefined): Promise<SourcePlan> {
    const table = tableOf(this.endpoint, options);
    const { rows, seed } = this.spec;
    const prev = parseCursor(previous?.cursor);
    const incremental = prev !== undefined && prev.seed === seed && prev.rows <= rows;
    const start = incremental ? prev.rows : 0;
    const notes =
      previous && !incremental
        ? [`generator: previous cursor ${previous.cursor ?? '-'} does not match; full read`]
        : [];
    const per = Math.max(1, options.pageSize ?? DEFAULT_CHUNK_ROWS);
    const chunks: ChunkPointer[] = [];
    for (let from = start; from < rows; from += per) {
      const to = Math.min(rows, from + per);
      const spec: GeneratorChunkSpec = { table, seed, from, to };
      chunks.push({ chunkId: `rows-${from}-${to}`, weight: to - from, spec });
    }
    return {
      schemaJson: schemaToJson(TABLES[table] as arrow.Schema),
      chunks,
      cursor: `seed=${seed};rows=${rows}`,
      incremental,
      notes,
    };
  }

  async *read(_ctx: RunContext, _options: JobOptions, chunk: ChunkPointer): AsyncIterable<arrow.RecordBatch> {
    const { seed, from, to } = chunk.spec as GeneratorChunkSpec;
    for (let at = from; at < to; at += ROWS_PER_BATCH) yield ordersBatch(seed, at, Math.min(to, at + ROWS_PER_BATCH));
  }
}
