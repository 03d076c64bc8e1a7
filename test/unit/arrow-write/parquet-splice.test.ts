/**
 * Thrift compact round trips over every footer other engines wrote (the fixtures), and Parquet files assembled
 * from copied row groups (core/arrow/write/parquet-splice.ts) read back the same in parquet-wasm and DuckDB.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { decodeStruct, encodeStruct } from '../../../core/arrow/parquet/thrift-compact';
import { icebergSchemaOf } from '../../../core/arrow/write/arrow-schema';
import { conformTable } from '../../../core/arrow/write/conform';
import { readFooter, spliceBlocker, spliceParquet } from '../../../core/arrow/write/parquet-splice';
import { writeParquet } from '../../../core/arrow/write/parquet-writer';
import { duckRows } from '../../helpers/duckdb';

const pw = require('parquet-wasm') as typeof import('parquet-wasm');
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'iceberg');

const dir = mkdtempSync(join(tmpdir(), 'icefloe-splice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parquetFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.parquet')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

function rows(from: number, to: number, tag: string): arrow.Table {
  const n = to - from;
  const id = new BigInt64Array(n);
  const name: (string | null)[] = [];
  const amount = new Float64Array(n);
  const status: string[] = [];
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(from + i);
    name.push((from + i) % 7 === 0 ? null : `${tag}-${from + i}`);
    amount[i] = (from + i) / 4;
    status.push(['new', 'paid', 'shipped'][(from + i) % 3] as string);
  }
  return new arrow.Table({
    id: arrow.makeVector(id),
    name: arrow.vectorFromArray(name, new arrow.Utf8()),
    amount: arrow.makeVector(amount),
    status: arrow.vectorFromArray(status, new arrow.Utf8()),
  });
}

const schema = icebergSchemaOf(rows(0, 1, 'x').schema);

async function write(t: arrow.Table, rowGroupRows: number): Promise<Uint8Array> {
  return (await writeParquet(conformTable(t, schema), schema, { rowGroupRows })).bytes;
}

/** `bytes` written to `name`, read back by DuckDB as text cells. */
async function duckFileRows(bytes: Uint8Array, name: string): Promise<string[][]> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const out = await duckRows(`SELECT id, name, amount, status FROM read_parquet('${path}')`);
  return out.map((r) => r.map((v) => (v === null ? 'null' : String(v))));
}

function expected(t: arrow.Table): string[][] {
  return t.toArray().map((r) => {
    const o = r.toJSON() as Record<string, unknown>;
    return [String(o.id), o.name === null ? 'null' : String(o.name), String(o.amount), String(o.status)];
  });
}

describe('thrift compact', () => {
  const files = parquetFiles(FIXTURES);

  it('decodes and re-encodes every fixture footer byte for byte (Spark, Java, PyIceberg, Impala, …)', () => {
    expect(files.length).toBeGreaterThan(100);
    let groups = 0;
    for (const f of files) {
      const bytes = new Uint8Array(readFileSync(f));
      const footer = readFooter(bytes);
      const raw = bytes.subarray(footer.footerStart, bytes.length - 8);
      expect(Buffer.from(encodeStruct(footer.meta)).equals(Buffer.from(raw))).toBe(true);
      groups += footer.groups.length;
    }
    expect(groups).toBeGreaterThanOrEqual(files.length);
  });

  it('rejects truncated and garbage footers with a named error', () => {
    const bytes = new Uint8Array(readFileSync(files[0] as string));
    const footer = readFooter(bytes);
    expect(() => decodeStruct(bytes.subarray(0, footer.footerStart + 5), footer.footerStart)).toThrow(/thrift/);
    const bad = bytes.slice();
    bad.fill(0xff, footer.footerStart, footer.footerStart + 16);
    expect(() => readFooter(bad)).toThrow(/footer|row group|thrift|not a Parquet/);
    expect(() => readFooter(bytes.subarray(0, bytes.length - 1))).toThrow(/not a Parquet file/);
  });
});

describe('parquet splice', () => {
  it('copies row groups of two files into one that parquet-wasm and DuckDB read back', async () => {
    const a = rows(0, 50_000, 'a');
    const b = rows(100_000, 130_000, 'b');
    const fa = await write(a, 10_000); // 5 row groups
    const fb = await write(b, 10_000); // 3 row groups
    const footA = readFooter(fa);
    const footB = readFooter(fb);
    expect(footA.groups.map((g) => g.rows)).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(spliceBlocker(footA, footB)).toBeUndefined();
    const out = spliceParquet(
      [
        { bytes: fa, footer: footA, groups: [0, 2, 4] },
        { bytes: fb, footer: footB, groups: [1, 2] },
      ],
      footB,
    );
    const want = new arrow.Table([
      ...a.slice(0, 10_000).batches,
      ...a.slice(20_000, 30_000).batches,
      ...a.slice(40_000, 50_000).batches,
      ...b.slice(10_000, 30_000).batches,
    ]);
    expect(await duckFileRows(out, 'spliced.parquet')).toEqual(expected(want));
    const back = arrow.tableFromIPC(pw.readParquet(out).intoIPCStream());
    expect(back.numRows).toBe(50_000);
    expect(back.getChild('id')?.toArray()).toEqual(want.getChild('id')?.toArray());
    const foot = readFooter(out);
    expect(foot.groups.map((g) => g.rows)).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    // the assembled file can itself be spliced again
    const again = spliceParquet([{ bytes: out, footer: foot, groups: [4, 0] }], foot);
    expect(await duckFileRows(again, 'again.parquet')).toEqual(
      expected(new arrow.Table([...b.slice(20_000, 30_000).batches, ...a.slice(0, 10_000).batches])),
    );
  });

  it('refuses files whose schemas differ', async () => {
    const other = new arrow.Table({ id: arrow.makeVector(new BigInt64Array([1n, 2n])) });
    const os = icebergSchemaOf(other.schema);
    const fo = (await writeParquet(conformTable(other, os), os)).bytes;
    const fa = await write(rows(0, 10, 'a'), 10);
    expect(spliceBlocker(readFooter(fo), readFooter(fa))).toMatch(/schemas differ/);
    expect(() => spliceParquet([{ bytes: fo, footer: readFooter(fo), groups: [0] }], readFooter(fa))).toThrow(
      /schemas differ/,
    );
  });

  it('refuses a fixture written by another engine as a source for our schema', () => {
    const spark = parquetFiles(FIXTURES).find((f) => f.includes('spark')) as string;
    const theirs = readFooter(new Uint8Array(readFileSync(spark)));
    const ours = readFooter(rowsFooterBytes);
    expect(spliceBlocker(theirs, ours)).toBeDefined();
  });
});

let rowsFooterBytes: Uint8Array;
beforeAll(async () => {
  rowsFooterBytes = await write(rows(0, 10, 'z'), 10);
});
