/**
 * Streaming writers (core/arrow/write): ParquetStreamWriter (one file, batch by batch) and
 * DataFileStreamWriter (partitioned, rolling): metrics stay exact across batches and partitions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { icebergSchemaOf } from '../../../core/arrow/write/arrow-schema';
import { conformBatch, conformTable } from '../../../core/arrow/write/conform';
import { DataFileStreamWriter, writeDataFiles } from '../../../core/arrow/write/data-file-writer';
import { ParquetStreamWriter, writeParquet } from '../../../core/arrow/write/parquet-writer';
import { LocalFileIO } from '../../../core/iceberg/io/local';
import type { PartitionSpec } from '../../../core/iceberg/spec/partition-spec';
import { fromBytes } from '../../../core/iceberg/spec/values';
import { duckRows } from '../../helpers/duckdb';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-stream-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REGIONS = ['eu', 'us', 'ap'];

/** Rows from..to-1: id, region (by id mod 3), note (null every 5th, long text every 11th). */
function rows(from: number, to: number): arrow.RecordBatch {
  const n = to - from;
  const ids = new BigInt64Array(n);
  const region: string[] = [];
  const note: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const k = from + i;
    ids[i] = BigInt(k);
    region.push(REGIONS[k % 3] as string);
    note.push(k % 5 === 0 ? null : k % 11 === 0 ? `${'z'.repeat(20)}${k}` : `note-${k % 997}`);
  }
  return new arrow.Table({
    id: arrow.makeVector(ids),
    region: arrow.vectorFromArray(region, new arrow.Utf8()),
    note: arrow.vectorFromArray(note, new arrow.Utf8()),
  }).batches[0] as arrow.RecordBatch;
}

const schema = icebergSchemaOf(rows(0, 1).schema);
const bySpec: PartitionSpec = {
  'spec-id': 0,
  fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }],
};

describe('streaming writers', () => {
  it('accumulates the same metrics batch by batch as over the whole table (bounds truncated once)', async () => {
    const batches = [rows(0, 7), rows(7, 40_000), rows(40_000, 40_001), rows(40_001, 100_000)].map((b) =>
      conformBatch(b, schema),
    );
    const w = new ParquetStreamWriter(schema);
    for (const b of batches) await w.write(b);
    const streamed = await w.finish();
    const whole = await writeParquet(conformTable(new arrow.Table(batches), schema), schema);
    expect(streamed.rows).toBe(100_000);
    expect(streamed.metrics).toEqual(whole.metrics);
    expect(streamed.metrics.get(3)?.upper).toBe('zzzzzzzzzzzzzzz{'); // truncated to 16 and incremented
    expect(streamed.bytes).toEqual(whole.bytes);
    const path = join(dir, 'one.parquet');
    writeFileSync(path, streamed.bytes);
    expect(await duckRows(`select count(*), count(note), max(id) from read_parquet('${path}')`)).toEqual([
      [100_000n, 80_000n, 99_999n],
    ]);
  });

  it('writes a table of no rows as a valid empty file', async () => {
    const empty = conformTable(new arrow.Table([rows(0, 1)]).slice(0, 0), schema);
    const w = await writeParquet(empty, schema);
    const path = join(dir, 'empty.parquet');
    writeFileSync(path, w.bytes);
    expect(w.rows).toBe(0);
    expect(await duckRows(`select count(*) from read_parquet('${path}')`)).toEqual([[0n]]);
  });

  it('an aborted writer leaves parquet-wasm usable', async () => {
    const w = new ParquetStreamWriter(schema);
    await w.write(conformBatch(rows(0, 70_000), schema));
    w.abort();
    const ok = await writeParquet(conformTable(new arrow.Table([rows(0, 10)]), schema), schema);
    expect(ok.rows).toBe(10);
  });

  it('routes interleaved batches to one file per partition, rolled at the target size, with exact stats', async () => {
    const io = new LocalFileIO();
    const common = { io, location: join(dir, 't'), schema, spec: bySpec, properties: {} };
    const w = new DataFileStreamWriter({ ...common, prefix: 'stream', targetFileSizeBytes: 128 * 1024 });
    const input: arrow.RecordBatch[] = [];
    for (let k = 0; k < 30; k++) input.push(conformBatch(rows(k * 3_000, (k + 1) * 3_000), schema));
    for (const b of input) await w.write(b);
    const files = await w.close();
    expect(w.rows).toBe(90_000);
    expect(files.reduce((n, f) => n + f.recordCount, 0)).toBe(90_000);
    for (const region of REGIONS) {
      const part = files.filter((f) => f.partition[0] === region);
      expect(part.length).toBeGreaterThan(1); // 30,000 rows each, well above 128 KiB
      expect(part.every((f) => f.filePath.includes(`/data/region=${region}/stream-`))).toBe(true);
      for (const f of part) {
        const [[count, regions, minId, maxId, notes]] = (await duckRows(
          `select count(*), count(distinct region), min(id), max(id), count(note) from read_parquet('${f.filePath}')`,
        )) as [[bigint, bigint, bigint, bigint, bigint]];
        expect([f.recordCount, Number(regions)]).toEqual([Number(count), 1]);
        expect(fromBytes('long', f.lowerBounds?.get(1) as Uint8Array)).toBe(minId);
        expect(fromBytes('long', f.upperBounds?.get(1) as Uint8Array)).toBe(maxId);
        expect(fromBytes('string', f.lowerBounds?.get(2) as Uint8Array)).toBe(region);
        expect(f.nullValueCounts?.get(3)).toBe(Number(count) - Number(notes));
      }
    }
    // the table form writes the same files (same rows per file, same stats)
    const again = await writeDataFiles(new arrow.Table(input), {
      ...common,
      prefix: 'table',
      targetFileSizeBytes: 128 * 1024,
    });
    const facts = (fs: typeof files) =>
      fs.map((f) => [f.partition, f.recordCount, f.valueCounts, f.nullValueCounts, f.lowerBounds, f.upperBounds]);
    expect(facts(again)).toEqual(facts(files));
  });

  it('keeps at most a few files open: a chunk over many interleaved partitions gets more files, every row once', async () => {
    const n = 700_000;
    const make = (from: number, to: number) => {
      const ids = new BigInt64Array(to - from);
      const part = new Int32Array(to - from);
      for (let i = 0; i < to - from; i++) {
        ids[i] = BigInt(from + i);
        part[i] = (from + i) % 40;
      }
      return new arrow.Table({ id: arrow.makeVector(ids), p: arrow.makeVector(part) }).batches[0] as arrow.RecordBatch;
    };
    const s2 = icebergSchemaOf(make(0, 1).schema);
    const spec: PartitionSpec = {
      'spec-id': 0,
      fields: [{ 'source-id': 2, 'field-id': 1000, name: 'p', transform: 'identity' }],
    };
    const w = new DataFileStreamWriter({
      io: new LocalFileIO(),
      location: join(dir, 'many'),
      schema: s2,
      spec,
      properties: {},
      prefix: 'many',
    });
    for (let k = 0; k < n; k += 35_000) await w.write(conformBatch(make(k, k + 35_000), s2));
    const files = await w.close();
    expect(files.length).toBeGreaterThan(40); // some partitions were closed early and continued in a next file
    const all = files.map((f) => `'${f.filePath}'`).join(', ');
    expect(await duckRows(`select count(*), count(distinct id), min(id), max(id) from read_parquet([${all}])`)).toEqual(
      [[BigInt(n), BigInt(n), 0n, BigInt(n - 1)]],
    );
    for (const f of files) {
      const [[count, minId, maxId, parts]] = (await duckRows(
        `select count(*), min(id), max(id), count(distinct p) from read_parquet('${f.filePath}')`,
      )) as [[bigint, bigint, bigint, bigint]];
      expect([f.recordCount, Number(parts)]).toEqual([Number(count), 1]);
      expect(fromBytes('long', f.lowerBounds?.get(1) as Uint8Array)).toBe(minId);
      expect(fromBytes('long', f.upperBounds?.get(1) as Uint8Array)).toBe(maxId);
    }
  });
});
