/**
 * The per-column dictionary choice (core/arrow/write/dictionary-choice.ts): nearly unique columns are written
 * plain, columns with repeats keep their dictionary; the files read back the same (parquet-wasm and DuckDB) and
 * the encodings in the footer are the ones chosen.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { icebergSchemaOf } from '../../../core/arrow/write/arrow-schema';
import { conformTable } from '../../../core/arrow/write/conform';
import { plainColumns } from '../../../core/arrow/write/dictionary-choice';
import { writeParquet } from '../../../core/arrow/write/parquet-writer';
import { duckRows } from '../../helpers/duckdb';

const pw = require('parquet-wasm') as typeof import('parquet-wasm');

const dir = mkdtempSync(join(tmpdir(), 'icefloe-dict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STATUS = ['new', 'paid', 'shipped', 'returned'];

/** n rows: unique id/ts/amount/uuid-like text, a 4-value status, 5,000 repeating customers, a nullable note. */
function table(n: number): arrow.Table {
  const id = new BigInt64Array(n);
  const ts = new BigInt64Array(n);
  const amount = new Float64Array(n);
  const customer = new Int32Array(n);
  const day = new Int32Array(n);
  const text: string[] = [];
  const status: string[] = [];
  const note: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    id[i] = BigInt(i) * 7919n;
    ts[i] = 1_700_000_000_000_000n + BigInt(i) * 1_013n;
    amount[i] = i * 0.37;
    customer[i] = (i * 31) % 5_000;
    day[i] = 19_000 + (i % 30);
    text.push(`${(i * 2654435761) % 4294967296}-${i}`);
    status.push(STATUS[i % 4] as string);
    note.push(i % 3 === 0 ? null : `n${i}`);
  }
  return new arrow.Table({
    id: arrow.makeVector(id),
    ts: arrow.makeVector(arrow.makeData({ type: new arrow.TimestampMicrosecond(), length: n, data: ts })),
    amount: arrow.makeVector(amount),
    customer: arrow.makeVector(customer),
    day: arrow.makeVector(arrow.makeData({ type: new arrow.DateDay(), length: n, data: day })),
    text: arrow.vectorFromArray(text, new arrow.Utf8()),
    status: arrow.vectorFromArray(status, new arrow.Utf8()),
    note: arrow.vectorFromArray(note, new arrow.Utf8()),
  });
}

/** Column name → whether its chunk in row group 0 uses a dictionary encoding. */
async function dictionaryEncoded(bytes: Uint8Array): Promise<Record<string, boolean>> {
  const file = await pw.ParquetFile.fromFile(new Blob([bytes]));
  const out: Record<string, boolean> = {};
  try {
    const rg = file.metadata().rowGroups()[0];
    for (const c of rg?.columns() ?? []) {
      const enc = c.encodings();
      out[c.columnPath().join('.')] =
        enc.includes(pw.Encoding.RLE_DICTIONARY) || enc.includes(pw.Encoding.PLAIN_DICTIONARY);
    }
  } finally {
    file.free();
  }
  return out;
}

describe('dictionary choice', () => {
  it('lists the nearly unique columns, not the repeating ones', () => {
    const t = table(20_000);
    expect(plainColumns(t.batches).sort()).toEqual(['amount', 'id', 'note', 'text', 'ts']);
  });

  it('counts only non-null values, and keeps the default for small samples', () => {
    expect(plainColumns(table(1_000).batches)).toEqual([]);
    const n = 20_000;
    const mostlyNull = new arrow.Table({
      x: arrow.vectorFromArray(
        Array.from({ length: n }, (_, i) => (i % 10 === 0 ? i : null)),
        new arrow.Int32(),
      ),
    });
    // 2,000 non-null values: below the sample minimum, so the writer's default stays
    expect(plainColumns(mostlyNull.batches)).toEqual([]);
  });

  it('samples across small first batches, and over a sliced batch only its own rows', () => {
    const t = table(30_000);
    const small = [t.slice(0, 100), t.slice(100, 5_000), t.slice(5_000, 30_000)].flatMap((x) => x.batches);
    expect(plainColumns(small).sort()).toEqual(['amount', 'id', 'note', 'text', 'ts']);
    // a slice is judged by its own rows: repeats before it, unique values in it (and the reverse)
    const ids = new BigInt64Array(45_000).map((_, i) => BigInt(i < 20_000 ? i % 10 : i));
    const names = Array.from({ length: 45_000 }, (_, i) => (i < 20_000 ? `r${i % 10}` : `u${i}`));
    const mixed = new arrow.Table({ id: arrow.makeVector(ids), name: arrow.vectorFromArray(names, new arrow.Utf8()) });
    expect(plainColumns(mixed.slice(20_000, 45_000).batches)).toEqual(['id', 'name']);
    expect(plainColumns(mixed.slice(3, 20_000).batches)).toEqual([]);
  });

  it('writes the chosen encodings; the data reads back the same in parquet-wasm and DuckDB', async () => {
    const t = table(200_000);
    const schema = icebergSchemaOf(t.schema);
    const conformed = conformTable(t, schema);
    const auto = await writeParquet(conformed, schema);
    const on = await writeParquet(conformed, schema, { dictionary: 'on' });
    expect(await dictionaryEncoded(auto.bytes)).toEqual({
      id: false,
      ts: false,
      amount: false,
      customer: true,
      day: true,
      text: false,
      status: true,
      note: false,
    });
    expect(Object.values(await dictionaryEncoded(on.bytes)).every(Boolean)).toBe(true);
    expect(auto.bytes.length).toBeLessThan(on.bytes.length);
    expect(auto.metrics).toEqual(on.metrics);
    const back = arrow.tableFromIPC(pw.readParquet(auto.bytes).intoIPCStream());
    expect(back.numRows).toBe(200_000);
    for (const name of ['id', 'text', 'status', 'note']) {
      const a = back.getChild(name)?.toArray();
      const b = conformed.getChild(name)?.toArray();
      expect(a).toEqual(b);
    }
    const path = join(dir, 'auto.parquet');
    writeFileSync(path, auto.bytes);
    const rows = await duckRows(
      `SELECT count(*), count(DISTINCT id), sum(customer), count(note), max(text), min(status) FROM read_parquet('${path}')`,
    );
    const expectedCustomers = Array.from({ length: 200_000 }, (_, i) => (i * 31) % 5_000).reduce((a, b) => a + b, 0);
    expect(rows[0]?.map(String)).toEqual([
      '200000',
      '200000',
      String(expectedCustomers),
      String(200_000 - Math.ceil(200_000 / 3)),
      String(
        back
          .getChild('text')
          ?.toArray()
          .reduce((a: string, b: string) => (b > a ? b : a)),
      ),
      'new',
    ]);
  });
});
