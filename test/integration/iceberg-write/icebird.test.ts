/**
 * An independent reader agrees: icebird (hyparquet-based, reads through fetch) reads a table written by
 * icefloe — appends, an overwrite, and a merge-on-read upsert with equality deletes — with the same rows.
 * The warehouse is served over loopback HTTP and the table is written with http:// locations.
 */
import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import { FileCatalog } from '../../../core/iceberg/catalog/file-catalog';
import { LocalFileIO } from '../../../core/iceberg/io/local';
import { ResolvingFileIO } from '../../../core/iceberg/table';
import { ensureTable, writeArrow } from '../../../core/iceberg/transaction/write-arrow';

// icebird and hyparquet are ESM-only with import-only export maps, which jest's CommonJS resolver cannot
// load: icebird runs in a plain node child process (it fetches from this process's HTTP server).
async function icebergRead(o: { tableUrl: string; metadataFileName: string }): Promise<Record<string, unknown>[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(__dirname, 'icebird-read.mjs'),
    o.tableUrl,
    o.metadataFileName,
  ]);
  return JSON.parse(stdout) as Record<string, unknown>[];
}

const dir = mkdtempSync(join(tmpdir(), 'icefloe-icebird-'));
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const size = statSync(path).size;
      const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Number(range[2]) : size - 1;
        res.writeHead(206, { 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
        createReadStream(path, { start, end }).pipe(res);
        return;
      }
      res.writeHead(200, { 'content-length': size });
      if (req.method === 'HEAD') res.end();
      else createReadStream(path).pipe(res);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const rows = (ids: number[], v: string) =>
  new arrow.Table({
    id: arrow.makeVector(BigInt64Array.from(ids.map(BigInt))),
    name: arrow.vectorFromArray(
      ids.map((i) => `${v}${i}`),
      new arrow.Utf8(),
    ),
    score: arrow.makeVector(Float64Array.from(ids.map((i) => i / 4))),
  });

describe('icebird reads tables written by icefloe', () => {
  it('sees the same rows after appends, an overwrite and an upsert with equality deletes', async () => {
    // Paths in the metadata are http:// URLs; writes go to the folder the HTTP server serves.
    const io = new ResolvingFileIO(new LocalFileIO(), (p) =>
      p.startsWith(base) ? join(dir, p.slice(base.length)) : p,
    );
    const catalog = new FileCatalog(`${base}/wh`, io);
    const id = { namespace: ['web'], name: 'events' };
    await catalog.createNamespace(['web']);
    await ensureTable(catalog, id, rows([0], 'x').schema);
    await writeArrow(catalog, id, rows([1, 2, 3], 'a'), { mode: 'append' });
    await writeArrow(catalog, id, rows([4, 5], 'b'), { mode: 'append' });
    const read = async () => {
      const t = await catalog.loadTable(id);
      const name = t.metadataLocation
        .split('/')
        .pop()
        ?.replace(/\.metadata\.json$/, '');
      const got = await icebergRead({ tableUrl: `${base}/wh/web/events`, metadataFileName: `${name}.metadata.json` });
      return got.map((r) => `${r.id}:${r.name}:${r.score}`).sort();
    };
    expect(await read()).toEqual(['1:a1:0.25', '2:a2:0.5', '3:a3:0.75', '4:b4:1', '5:b5:1.25']);
    await writeArrow(catalog, id, rows([2, 6], 'm'), { mode: 'merge', keys: ['id'] });
    expect(await read()).toEqual(['1:a1:0.25', '2:m2:0.5', '3:a3:0.75', '4:b4:1', '5:b5:1.25', '6:m6:1.5']);
    await writeArrow(catalog, id, rows([9], 'o'), { mode: 'overwrite' });
    expect(await read()).toEqual(['9:o9:2.25']);
  });
});
