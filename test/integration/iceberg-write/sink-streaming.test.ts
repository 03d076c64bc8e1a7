/**
 * The lakehouse sink writes a chunk as its batches arrive (core/arrow/write/data-file-writer.ts): files roll
 * at the target size with exact stats per file, the Parquet writer is fed before the source ends, and a batch
 * the table cannot hold fails the stage with one line naming table and column, leaving no staged file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { ParquetStreamWriter } from '../../../core/arrow/write/parquet-writer';
import { LakehouseSink } from '../../../core/connectors/lakehouse/sink';
import { dataFileFromJson } from '../../../core/connectors/lakehouse/write-data-file-json';
import type { JobState, StagedChunk } from '../../../core/connectors/types';
import { FileCatalog } from '../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../core/iceberg/io/local';
import type { DataFile } from '../../../core/iceberg/spec/manifest';
import { fromBytes } from '../../../core/iceberg/spec/values';
import type { JobOptions } from '../../../core/manifest/types';
import { duckRows } from '../../helpers/duckdb';
import { readRows } from '../../unit/iceberg/transaction/read-back';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-sink-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rows from..to-1: id (long), name (string, every 7th null), amount (double). */
function rows(from: number, to: number): arrow.RecordBatch {
  const n = to - from;
  const ids = new BigInt64Array(n);
  const names: (string | null)[] = [];
  const amounts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = from + i;
    ids[i] = BigInt(k);
    names.push(k % 7 === 0 ? null : `n${(k * 7919) % 100000}`);
    amounts[i] = ((k * 31) % 1000) / 10;
  }
  return new arrow.Table({
    id: arrow.makeVector(ids),
    name: arrow.vectorFromArray(names, new arrow.Utf8()),
    amount: arrow.makeVector(amounts),
  }).batches[0] as arrow.RecordBatch;
}

/** A source of `count` batches of `size` rows that reports each batch it hands out. */
async function* source(count: number, size: number, onYield: (k: number) => void = () => undefined) {
  for (let k = 0; k < count; k++) {
    onYield(k);
    yield rows(k * size, (k + 1) * size);
  }
}

const state = (runId: string): JobState => ({
  jobId: 'j',
  runId,
  rowsWritten: 0,
  committedAt: new Date(0).toISOString(),
});

function files(c: StagedChunk): DataFile[] {
  return ((c.detail as { files: unknown[] }).files ?? []).map(dataFileFromJson);
}

class CountingIO extends LocalFileIO {
  parquetWrites = 0;
  override async write(path: string, body: Uint8Array, options?: Parameters<LocalFileIO['write']>[2]) {
    if (path.endsWith('.parquet')) this.parquetWrites++;
    return super.write(path, body, options);
  }
}

describe('lakehouse sink, streaming stage', () => {
  it('splits a chunk larger than the target file size into several files, each with its own exact stats', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const sink = new LakehouseSink(catalog);
    const opts: JobOptions = { destTable: 'stream.split', incrementalStrategy: 'append', loaderFileSize: 96 * 1024 };
    const ctx = { jobId: 'j', runId: 'r1' };
    await sink.prepare(ctx, opts, rows(0, 1).schema);
    const staged = await sink.stage(ctx, opts, 'c1', source(12, 10_000));
    const written = files(staged);
    expect(staged.rows).toBe(120_000);
    expect(written.length).toBeGreaterThan(2);
    expect(written.reduce((n, f) => n + f.recordCount, 0)).toBe(120_000);
    expect(staged.bytes).toBe(written.reduce((n, f) => n + f.fileSizeInBytes, 0));
    // every file: counts and bounds as DuckDB computes them from the file itself
    let next = 0n;
    for (const f of written) {
      expect(f.filePath).toMatch(/\/r1-c1-[0-9a-f]{8}-\d{5}\.parquet$/);
      const [[count, minId, maxId, names, minName, maxName, minAmount, maxAmount, size]] = (await duckRows(
        `select count(*), min(id), max(id), count(name), min(name), max(name), min(amount), max(amount),
           (select sum(total_compressed_size) from parquet_metadata('${f.filePath}'))
         from read_parquet('${f.filePath}')`,
      )) as [[bigint, bigint, bigint, bigint, string, string, number, number, bigint]];
      expect(f.recordCount).toBe(Number(count));
      expect(minId).toBe(next); // files follow the source order, without gaps or overlaps
      next = maxId + 1n;
      expect(f.valueCounts?.get(1)).toBe(Number(count));
      expect(f.nullValueCounts?.get(1)).toBe(0);
      expect(fromBytes('long', f.lowerBounds?.get(1) as Uint8Array)).toBe(minId);
      expect(fromBytes('long', f.upperBounds?.get(1) as Uint8Array)).toBe(maxId);
      expect(f.valueCounts?.get(2)).toBe(Number(count));
      expect(f.nullValueCounts?.get(2)).toBe(Number(count) - Number(names));
      expect(fromBytes('string', f.lowerBounds?.get(2) as Uint8Array)).toBe(minName);
      expect(fromBytes('string', f.upperBounds?.get(2) as Uint8Array)).toBe(maxName);
      expect(fromBytes('double', f.lowerBounds?.get(3) as Uint8Array)).toBe(minAmount);
      expect(fromBytes('double', f.upperBounds?.get(3) as Uint8Array)).toBe(maxAmount);
      expect(f.nanValueCounts?.get(3)).toBe(0);
      const sizes = [...(f.columnSizes?.values() ?? [])].reduce((a, b) => a + b, 0);
      expect(sizes).toBe(Number(size));
      expect(sizes).toBeLessThan(f.fileSizeInBytes);
      expect(f.splitOffsets?.[0]).toBe(4);
    }
    expect(next).toBe(120_000n);
    await sink.commit(ctx, opts, [staged], state('r1'));
    expect(await readRows(catalog, { namespace: ['stream'], name: 'split' })).toHaveLength(120_000);
  });

  it('writes batches as they arrive: the Parquet writer is fed and files are stored before the source ends', async () => {
    const io = new CountingIO();
    const catalog = new FileCatalog(dir, io);
    const sink = new LakehouseSink(catalog);
    const ctx = { jobId: 'j', runId: 'r1' };
    const spy = jest.spyOn(ParquetStreamWriter.prototype, 'writeAll');
    try {
      // default target size (one file): rows reach the writer while the source still has batches to give
      const one: JobOptions = { destTable: 'stream.arrive', incrementalStrategy: 'append' };
      await sink.prepare(ctx, one, rows(0, 1).schema);
      let fedBeforeLast = -1;
      const a = await sink.stage(
        ctx,
        one,
        'c1',
        source(20, 10_000, (k) => {
          if (k === 19) fedBeforeLast = spy.mock.calls.length;
        }),
      );
      expect(files(a)).toHaveLength(1);
      expect(fedBeforeLast).toBeGreaterThan(0);
      // a small target: whole files are stored while the source is still running
      const small: JobOptions = { ...one, destTable: 'stream.arrive_small', loaderFileSize: 64 * 1024 };
      await sink.prepare(ctx, small, rows(0, 1).schema);
      let storedBeforeLast = -1;
      const b = await sink.stage(
        ctx,
        small,
        'c1',
        source(20, 10_000, (k) => {
          if (k === 19) storedBeforeLast = io.parquetWrites;
        }),
      );
      expect(storedBeforeLast).toBeGreaterThan(1);
      expect(files(b).length).toBeGreaterThan(storedBeforeLast);
    } finally {
      spy.mockRestore();
    }
  });

  it('fails a batch the table cannot hold with one line naming table and column, and keeps no staged file', async () => {
    const catalog = new FileCatalog(dir, new LocalFileIO());
    const sink = new LakehouseSink(catalog);
    const opts: JobOptions = { destTable: 'stream.bad', incrementalStrategy: 'append', loaderFileSize: 32 * 1024 };
    const ctx = { jobId: 'j', runId: 'rbad' };
    const list = new arrow.List(new arrow.Field('item', new arrow.Int32(), true));
    const good = (from: number) =>
      new arrow.Table({
        id: rows(from, from + 20_000).getChildAt(0) as arrow.Vector,
        tags: arrow.vectorFromArray(
          Array.from({ length: 20_000 }, (_, i) => [i, from]),
          list,
        ),
      }).batches[0] as arrow.RecordBatch;
    const bad = new arrow.Table({
      id: arrow.makeVector(BigInt64Array.from([1n])),
      tags: arrow.vectorFromArray(['x'], new arrow.Utf8()),
    }).batches[0] as arrow.RecordBatch;
    await sink.prepare(ctx, opts, good(0).schema);
    async function* chunk() {
      yield good(0);
      yield good(20_000);
      yield bad;
    }
    const err = await sink.stage(ctx, opts, 'c1', chunk()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('table stream.bad: column tags: cannot write arrow Utf8 as iceberg list');
    const left: string[] = [];
    for await (const f of catalog.io.list(`${dir}/stream/bad/data/`)) left.push(f.path);
    expect(left).toEqual([]);
  });
});
