/**
 * Copy-on-write rewrites that copy untouched row groups as bytes (core/iceberg/transaction/rewrite-file.ts): the
 * copied row groups are byte-identical to the old file's, the table reads back right (our reader and DuckDB), the
 * new file's metrics equal a full rewrite's, and the cases that cannot splice fall back to a full rewrite.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { readFooter } from '../../../../core/arrow/write/parquet-splice';
import { ROW_GROUP_ROWS } from '../../../../core/arrow/write/parquet-writer';
import { FileCatalog } from '../../../../core/iceberg/catalog/file-catalog';
import type { FileIO } from '../../../../core/iceberg/io/file-io';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { S3FileIO } from '../../../../core/iceberg/io/s3';
import { type DataFile, DataFileContent } from '../../../../core/iceberg/spec/manifest';
import { ensureTable, writeArrow } from '../../../../core/iceberg/transaction/write-arrow';
import { duckRows } from '../../../helpers/duckdb';
import { s3ConfigFor, startS3Server } from '../../../helpers/s3-server';
import { expectScratchMetrics, liveFiles } from './cow-helpers';
import { readRows } from './read-back';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-cow-splice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 2 * ROW_GROUP_ROWS + 40_000; // three row groups: 131,072 + 131,072 + 40,000

function rows(from: number, to: number, tag: string): arrow.Table {
  const n = to - from;
  const id = new BigInt64Array(n);
  const amount = new Float64Array(n);
  const name: (string | null)[] = [];
  const status: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = from + i;
    id[i] = BigInt(k);
    amount[i] = k / 8;
    name.push(k % 9 === 0 ? null : `${tag}-${k}`);
    status.push(['new', 'paid', 'shipped', 'void'][k % 4] as string);
  }
  return new arrow.Table({
    id: arrow.makeVector(id),
    name: arrow.vectorFromArray(name, new arrow.Utf8()),
    amount: arrow.makeVector(amount),
    status: arrow.vectorFromArray(status, new arrow.Utf8()),
  });
}

/** count, sum of ids, count of names, max name, sum of amounts over the table's live data files (no deletes). */
async function duckSummary(files: DataFile[]): Promise<string[]> {
  const list = files
    .filter((f) => f.content === DataFileContent.Data)
    .map((f) => `'${f.filePath.replace(/^file:\/\//, '')}'`)
    .join(', ');
  const [r] = await duckRows(
    `SELECT count(*), sum(id), count(name), max(name), sum(amount), count(DISTINCT id) FROM read_parquet([${list}])`,
  );
  return (r ?? []).map(String);
}

/** The same summary over rows in memory. */
function expectedSummary(t: arrow.Table): string[] {
  const ids = t.getChild('id')?.toArray() as BigInt64Array;
  const names = t.getChild('name')?.toArray() as (string | null)[];
  const amounts = t.getChild('amount')?.toArray() as Float64Array;
  let max = '';
  let named = 0;
  for (const n of names)
    if (n !== null) {
      named++;
      if (n > max) max = n;
    }
  return [
    String(t.numRows),
    String(ids.reduce((a, b) => a + b, 0n)),
    String(named),
    max,
    String(amounts.reduce((a, b) => a + b, 0)),
    String(new Set(ids).size),
  ];
}

async function table(name: string, props: Record<string, string> = {}) {
  const catalog = new FileCatalog(dir, new LocalFileIO());
  const id = { namespace: ['cow'], name };
  await ensureTable(catalog, id, rows(0, 1, 'x').schema, {
    properties: { 'write.merge.mode': 'copy-on-write', ...props },
  });
  return { catalog, id };
}

describe('copy-on-write by row-group splicing', () => {
  it('copies the untouched row groups byte for byte and encodes only the touched one', async () => {
    const { catalog, id } = await table('splice');
    await writeArrow(catalog, id, rows(0, N, 'old'), { mode: 'append' });
    const [old] = await liveFiles(catalog, id);
    const oldBytes = await catalog.io.read((old as DataFile).filePath);
    const oldFooter = readFooter(oldBytes);
    expect(oldFooter.groups.map((g) => g.rows)).toEqual([ROW_GROUP_ROWS, ROW_GROUP_ROWS, 40_000]);

    // 1,000 updates in the last row group, 500 inserts
    const delta = rows(N - 5_000, N - 4_000, 'upd');
    const inserts = rows(N, N + 500, 'ins');
    const incoming = new arrow.Table([...delta.batches, ...inserts.batches]);
    const out = await writeArrow(catalog, id, incoming, { mode: 'merge', keys: ['id'] });
    expect(out.snapshot.summary['deleted-data-files']).toBe('1');

    const files = await liveFiles(catalog, id);
    const rewritten = files.find((f) => f.filePath.includes('-rw-')) as DataFile;
    expect(rewritten).toBeDefined();
    expect(rewritten.recordCount).toBe(N - 1_000);
    const bytes = await catalog.io.read(rewritten.filePath);
    const footer = readFooter(bytes);
    expect(footer.groups.map((g) => g.rows)).toEqual([ROW_GROUP_ROWS, ROW_GROUP_ROWS, 39_000]);
    for (const i of [0, 1]) {
      const a = oldFooter.groups[i] as (typeof oldFooter.groups)[number];
      const b = footer.groups[i] as (typeof footer.groups)[number];
      expect(Buffer.from(bytes.subarray(b.start, b.end)).equals(Buffer.from(oldBytes.subarray(a.start, a.end)))).toBe(
        true,
      );
    }

    // the table: every old row but the 1,000 updated ones, then the incoming rows
    const kept = new arrow.Table([...rows(0, N - 5_000, 'old').batches, ...rows(N - 4_000, N, 'old').batches]);
    const want = new arrow.Table([...kept.batches, ...incoming.batches]);
    expect(await duckSummary(files)).toEqual(expectedSummary(want));

    // metrics equal those of writing the rewritten file's rows from scratch
    await expectScratchMetrics(catalog, id, rewritten, kept);
  });

  it('a second merge splices the spliced file again', async () => {
    const { catalog, id } = await table('twice');
    await writeArrow(catalog, id, rows(0, N, 'old'), { mode: 'append' });
    await writeArrow(catalog, id, rows(10, 20, 'a'), { mode: 'merge', keys: ['id'] }); // first group
    await writeArrow(catalog, id, rows(N - 10, N, 'b'), { mode: 'merge', keys: ['id'] }); // last group
    const files = await liveFiles(catalog, id);
    const want = new arrow.Table([
      ...rows(0, 10, 'old').batches,
      ...rows(20, N - 10, 'old').batches,
      ...rows(10, 20, 'a').batches,
      ...rows(N - 10, N, 'b').batches,
    ]);
    expect(await duckSummary(files)).toEqual(expectedSummary(want));
    const rw = files.filter((f) => f.filePath.includes('-rw-'));
    expect(rw).toHaveLength(1);
    expect(readFooter(await catalog.io.read((rw[0] as DataFile).filePath)).groups.map((g) => g.rows)).toEqual([
      ROW_GROUP_ROWS, // copied twice
      ROW_GROUP_ROWS - 10, // encoded by the first merge, copied by the second
      40_000 - 10, // encoded by the second
    ]);
  });

  it('rewrites in full when every row group is touched, or when the file has delete files', async () => {
    const { catalog, id } = await table('full');
    await writeArrow(catalog, id, rows(0, N, 'old'), { mode: 'append' });
    const spread = new arrow.Table([
      ...rows(5, 6, 'u').batches,
      ...rows(ROW_GROUP_ROWS + 5, ROW_GROUP_ROWS + 6, 'u').batches,
      ...rows(N - 1, N, 'u').batches,
    ]);
    await writeArrow(catalog, id, spread, { mode: 'merge', keys: ['id'] });
    let files = await liveFiles(catalog, id);
    expect(files.some((f) => f.filePath.includes('-rw-'))).toBe(false);

    // an equality delete on the file (merge-on-read), then copy-on-write: the file's deletes must be applied
    await writeArrow(catalog, id, rows(100, 101, 'mor'), { mode: 'merge', keys: ['id'], mergeMode: 'merge-on-read' });
    await writeArrow(catalog, id, rows(N - 3, N - 2, 'cow'), { mode: 'merge', keys: ['id'] });
    files = await liveFiles(catalog, id);
    expect(files.some((f) => f.filePath.includes('-rw-'))).toBe(false);
  });

  it('deletes its rewritten file when the rest of the write fails', async () => {
    const { catalog, id } = await table('fails');
    await writeArrow(catalog, id, rows(0, N, 'old'), { mode: 'append' });
    const local = new LocalFileIO();
    const failing: FileIO = Object.assign(Object.create(Object.getPrototypeOf(local)), local, {
      write: async (path: string, data: Uint8Array) => {
        if (path.endsWith('.parquet') && !path.includes('-rw-')) throw new Error('disk full (test)');
        return local.write(path, data);
      },
    });
    const broken = new FileCatalog(dir, failing);
    await expect(writeArrow(broken, id, rows(N - 2, N + 2, 'x'), { mode: 'merge', keys: ['id'] })).rejects.toThrow(
      /disk full/,
    );
    const dataDir = join(dir, 'cow', 'fails', 'data');
    expect(readdirSync(dataDir).filter((f) => f.includes('-rw-'))).toEqual([]);
    // the table is as it was
    expect(await duckSummary(await liveFiles(catalog, id))).toEqual(expectedSummary(rows(0, N, 'old')));
  });
});

describe('copy-on-write by row-group splicing on S3 (s3rver)', () => {
  let s3: Awaited<ReturnType<typeof startS3Server>>;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('reads the footer and the copied row groups by ranges, and writes the spliced file', async () => {
    const catalog = new FileCatalog(`s3://${s3.bucket}/wh`, new S3FileIO(s3ConfigFor(s3.endpoint)));
    const id = { namespace: ['cow'], name: 's3' };
    await ensureTable(catalog, id, rows(0, 1, 'x').schema, { properties: { 'write.merge.mode': 'copy-on-write' } });
    await writeArrow(catalog, id, rows(0, N, 'old'), { mode: 'append' });
    const [old] = await liveFiles(catalog, id);
    const oldBytes = await catalog.io.read((old as DataFile).filePath);
    await writeArrow(catalog, id, rows(N - 100, N + 100, 'new'), { mode: 'merge', keys: ['id'] });
    const files = await liveFiles(catalog, id);
    const rw = files.find((f) => f.filePath.includes('-rw-')) as DataFile;
    expect(rw.filePath.startsWith(`s3://${s3.bucket}/wh/`)).toBe(true);
    const bytes = await catalog.io.read(rw.filePath);
    const [a, b] = [readFooter(oldBytes).groups[0], readFooter(bytes).groups[0]];
    expect(
      a && b && Buffer.from(bytes.subarray(b.start, b.end)).equals(Buffer.from(oldBytes.subarray(a.start, a.end))),
    ).toBe(true);
    const got = await readRows(catalog, id);
    expect(got).toHaveLength(N + 100);
    const inRange = got.filter((r) => Number(r.id) >= N - 100).sort((x, y) => Number(x.id) - Number(y.id));
    expect(inRange.map((r) => [Number(r.id), r.name])).toEqual(
      Array.from({ length: 200 }, (_, i) => N - 100 + i).map((k) => [k, k % 9 === 0 ? null : `new-${k}`]),
    );
    expect(got.filter((r) => String(r.name).startsWith('old'))).toHaveLength(
      Array.from({ length: N - 100 }, (_, k) => k).filter((k) => k % 9 !== 0).length,
    );
    expect(new Set(got.map((r) => r.id)).size).toBe(N + 100);
  }, 60_000);
});
