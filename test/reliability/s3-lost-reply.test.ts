/**
 * Known failure 7, made deterministic: Iceberg commits on S3 (file catalog) through the fault proxy, with a
 * LOST REPLY (the request is applied upstream, then the connection is dropped) injected at exactly the k-th S3
 * request of a commit, for every k of the commit: the loads, the data file and manifest PUTs, the manifest list
 * PUT, the conditional PUT of `vN.metadata.json` (the commit point), the version hint and the DELETEs of
 * expired metadata. Besides single lost replies, each k also gets two in a row (a lost commit PUT whose
 * read-back is lost too) and a burst as long as the retry budget (every attempt of one request lost).
 *
 * Before the fix, "commit PUT lost, then its read-back GET lost" failed every time, in every mode: S3FileIO took
 * the 412 of its retry for another writer's commit, the commit loop deleted the attempt's manifest list, and the
 * committed `vN.metadata.json` pointed at it ("file not found: …/metadata/snap-….avro"). Now the commit loop
 * reloads the table after any failed catalog call and finds its own snapshot there (or, when it cannot reload,
 * throws CommitStateUnknownError and deletes nothing), and the read-back is retried.
 *
 * After every case, read without the proxy:
 * - the table loads, and every file its metadata references exists (manifest lists of every snapshot, their
 *   manifests, every data and delete file, the metadata log): a failed commit's cleanup never deleted a file
 *   that a committed metadata references;
 * - the rows are exactly the state before the commit or exactly the state after it (all or nothing);
 * - a commit that threw did so with a named icefloe error, never "file not found".
 * Then the next case commits on top of whatever state the table is in (one shared table per mode, as in the
 * form of the test that failed twice).
 */
import * as arrow from 'apache-arrow';
import type { Catalog } from '../../core/iceberg/catalog/catalog';
import { catalogFromConfig } from '../../core/iceberg/catalog/from-config';
import type { TableIdentifier } from '../../core/iceberg/catalog/updates';
import { S3FileIO } from '../../core/iceberg/io/s3';
import { openTable } from '../../core/iceberg/table';
import { readManifest, readManifestList } from '../../core/iceberg/transaction/manifest-io';
import { ensureTable, writeArrow } from '../../core/iceberg/transaction/write-arrow';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy';
import { type S3Server, s3ConfigFor, startS3Server } from '../helpers/s3-server';

jest.setTimeout(240_000);

/** Attempts of one S3 request (S3FileIO retry budget) in these tests. */
const ATTEMPTS = 3;

/** Lose the replies of the next `times` requests matching `kind`; steps fire one after the other. */
interface Step {
  kind: keyof typeof KINDS;
  times: number;
}
const KINDS = {
  'load GET version-hint': /^GET .*\/metadata\/version-hint\.text$/,
  'PUT data file': /^PUT .*\/data\/.*\.parquet$/,
  'PUT manifest': /^PUT .*\/metadata\/[0-9a-f-]{36}-m\d\.avro$/,
  'PUT manifest list': /^PUT .*\/metadata\/snap-[^/]+\.avro$/,
  'conditional PUT vN.metadata.json': /^PUT .*\/metadata\/v\d+\.metadata\.json$/,
  'GET vN.metadata.json': /^GET .*\/metadata\/v\d+\.metadata\.json$/,
  'PUT version-hint': /^PUT .*\/metadata\/version-hint\.text$/,
  DELETE: /^DELETE /,
};

let s3: S3Server;
let proxy: FaultProxy;
let steps: Step[] = [];
let fired: string[] = [];

beforeAll(async () => {
  s3 = await startS3Server();
  proxy = await startFaultProxy({
    target: s3.endpoint,
    rate: 1,
    faults: ['lost'],
    filter: (method, path) => {
      const step = steps[0];
      const request = `${method} ${path.replace(/\?.*$/, '')}`;
      if (!step || !KINDS[step.kind].test(request)) return false;
      fired.push(request);
      if (--step.times === 0) steps.shift();
      return true;
    },
  });
});
afterAll(async () => {
  await proxy?.stop();
  await s3?.stop();
});

const warehouse = () => `s3://${s3.bucket}/lost-reply`;
const faulty = (): Catalog =>
  catalogFromConfig({
    type: 'file',
    warehouse: warehouse(),
    io: { s3: { ...s3ConfigFor(proxy.endpoint), baseDelayMs: 1, maxDelayMs: 5, maxAttempts: ATTEMPTS } },
  });
const clean = (): Catalog =>
  catalogFromConfig({ type: 'file', warehouse: warehouse(), io: { s3: s3ConfigFor(s3.endpoint) } });

type State = Map<number, string>;
const rowsOf = (entries: [number, string][]) =>
  new arrow.Table({
    id: arrow.makeVector(Int32Array.from(entries.map(([k]) => k))),
    v: arrow.vectorFromArray(
      entries.map(([, v]) => v),
      new arrow.Utf8(),
    ),
  });

type Mode = 'append' | 'overwrite' | 'merge-on-read' | 'copy-on-write';

/** The rows the k-th commit of a mode writes, and the state it leads to. */
function change(mode: Mode, k: number, before: State): { rows: [number, string][]; after: State } {
  const tag = `c${k}`;
  if (mode === 'append') {
    const start = 1000 * (k + 1);
    const rows: [number, string][] = [0, 1, 2].map((i) => [start + i, tag]);
    return { rows, after: new Map([...before, ...rows]) };
  }
  if (mode === 'overwrite') {
    const rows: [number, string][] = [k, k + 1, k + 2].map((i) => [i, tag]);
    return { rows, after: new Map(rows) };
  }
  // merge: update two existing keys, insert one new key
  const keys = [...before.keys()].sort((a, b) => a - b);
  const rows: [number, string][] = [
    [keys[k % keys.length] as number, tag],
    [keys[(k + 1) % keys.length] as number, tag],
    [10_000 + k, tag],
  ];
  return { rows, after: new Map([...before, ...rows]) };
}

async function commit(catalog: Catalog, id: TableIdentifier, mode: Mode, rows: [number, string][]) {
  const t = rowsOf(rows);
  if (mode === 'append' || mode === 'overwrite') return writeArrow(catalog, id, t, { mode });
  return writeArrow(catalog, id, t, { mode: 'merge', keys: ['id'], mergeMode: mode });
}

/** Parsed manifest lists and manifests by path (files are immutable, so each is read once). */
const parsed = new Map<string, string[]>();

/** Every file the current metadata references that is not in the bucket (one LIST for the whole table). */
async function missingReferences(id: TableIdentifier): Promise<string[]> {
  const c = clean();
  const { metadata: m } = await c.loadTable(id);
  const io = c.io;
  const present = new Set<string>();
  for await (const f of io.list(`${m.location}/`)) present.add(f.path);
  const refs = new Set<string>(m['metadata-log'].map((e) => e['metadata-file']));
  const schema = m.schemas.find((s) => s['schema-id'] === m['current-schema-id']) ?? m.schemas[0];
  for (const snap of m.snapshots) {
    const list = snap['manifest-list'];
    if (!list) continue;
    refs.add(list);
    if (!present.has(list)) continue;
    let manifests = parsed.get(list);
    if (!manifests) {
      manifests = [];
      for (const mf of await readManifestList(io, list, snap['snapshot-id'])) {
        manifests.push(mf.manifestPath);
        if (!present.has(mf.manifestPath)) continue;
        const spec = m['partition-specs'].find((s) => s['spec-id'] === mf.partitionSpecId);
        if (!schema || !spec) throw new Error(`no schema or spec for ${mf.manifestPath}`);
        let files = parsed.get(mf.manifestPath);
        if (!files) {
          files = (await readManifest(io, mf, schema, spec)).map((e) => e.dataFile.filePath);
          parsed.set(mf.manifestPath, files);
        }
        manifests.push(...files);
      }
      parsed.set(list, manifests);
    }
    for (const p of manifests) refs.add(p);
  }
  return [...refs].filter((p) => !present.has(p));
}

/** The table's rows as the product's reader (catalog → openTable → scan) sees them, without the proxy. */
async function stateOf(id: TableIdentifier): Promise<State> {
  const { metadataLocation } = await clean().loadTable(id);
  const io = new S3FileIO(s3ConfigFor(s3.endpoint));
  try {
    const t = await openTable(metadataLocation, { io });
    const out: State = new Map();
    for await (const b of (await t.scan()).batches())
      for (const r of b) {
        const key = Number(r.id);
        if (out.has(key)) throw new Error(`duplicate key ${key}`);
        out.set(key, String(r.v));
      }
    return out;
  } finally {
    io.client.destroy();
  }
}

const same = (a: State, b: State) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

interface Outcome {
  mode: Mode;
  steps: string;
  committed: boolean;
  lost: number;
  error?: string;
}

/** The fault shapes of each mode: single lost replies at every kind of write, then the hard ones. */
const SHAPES: Step[][] = [
  [{ kind: 'load GET version-hint', times: 1 }],
  [{ kind: 'PUT data file', times: 1 }],
  [{ kind: 'PUT manifest', times: 1 }],
  [{ kind: 'PUT manifest list', times: 1 }],
  [{ kind: 'conditional PUT vN.metadata.json', times: 1 }],
  [{ kind: 'PUT version-hint', times: 1 }],
  [{ kind: 'DELETE', times: 1 }],
  // the retry of the same request lost too
  [{ kind: 'PUT manifest list', times: 2 }],
  [{ kind: 'conditional PUT vN.metadata.json', times: 2 }],
  // the commit PUT applied, its reply lost, and the read-back that would tell (412 → GET) lost as well
  [
    { kind: 'conditional PUT vN.metadata.json', times: 1 },
    { kind: 'GET vN.metadata.json', times: 1 },
  ],
  [
    { kind: 'conditional PUT vN.metadata.json', times: 1 },
    { kind: 'GET vN.metadata.json', times: ATTEMPTS },
  ],
  // every attempt of the request lost (the commit fails), then the first DELETE of its cleanup lost too
  [{ kind: 'PUT manifest list', times: ATTEMPTS }],
  [{ kind: 'conditional PUT vN.metadata.json', times: ATTEMPTS }],
  [
    { kind: 'PUT manifest list', times: ATTEMPTS },
    { kind: 'DELETE', times: 1 },
  ],
  [
    { kind: 'conditional PUT vN.metadata.json', times: ATTEMPTS },
    { kind: 'DELETE', times: 1 },
  ],
  // every attempt of the commit PUT lost, and so is the reload that would tell whether it landed:
  // CommitStateUnknownError, and nothing is cleaned up
  [
    { kind: 'conditional PUT vN.metadata.json', times: ATTEMPTS },
    { kind: 'GET vN.metadata.json', times: ATTEMPTS },
  ],
];

describe('a lost S3 reply at each request of an Iceberg commit (known failure 7)', () => {
  const modes: Mode[] = ['append', 'overwrite', 'merge-on-read', 'copy-on-write'];
  const outcomes: Outcome[] = [];

  it.each(modes)('%s: the table loads, references only existing files and is all or nothing', async (mode) => {
    const id = { namespace: ['lr'], name: mode.replace(/-/g, '_') };
    // Expired metadata files are deleted on commit, so every commit has a DELETE too.
    const properties = {
      'write.metadata.delete-after-commit.enabled': 'true',
      'write.metadata.previous-versions-max': '1',
      'commit.retry.min-wait-ms': '1',
      'commit.retry.max-wait-ms': '5',
    };
    const setup = clean();
    await ensureTable(setup, id, rowsOf([[0, 'x']]).schema, { properties, formatVersion: 2 });
    for (const k of [0, 3])
      await commit(setup, id, 'append', [
        [k, 'seed'],
        [k + 1, 'seed'],
        [k + 2, 'seed'],
      ]);
    let state = await stateOf(id);
    let k = 0;
    for (const shape of SHAPES) {
      const label = `${mode}, lost: ${shape.map((s) => `${s.kind} ×${s.times}`).join(' then ')}`;
      const { rows, after } = change(mode, k++, state);
      steps = shape.map((s) => ({ ...s }));
      fired = [];
      let error: unknown;
      try {
        await commit(faulty(), id, mode, rows);
      } catch (err) {
        error = err;
      }
      steps = [];
      if (process.env.LOST_REPLY_TRACE)
        process.stderr.write(`${label}: ${error ? `${(error as Error).name}: ${(error as Error).message}` : 'ok'}\n`);
      // the first fault of the shape really happened
      expect({ label, fired: fired.length >= (shape[0] as Step).times }).toEqual({ label, fired: true });
      expect({ label, missing: await missingReferences(id) }).toEqual({ label, missing: [] });
      const now = await stateOf(id);
      const committed = same(now, after);
      expect({ label, allOrNothing: committed || same(now, state) }).toEqual({ label, allOrNothing: true });
      if (error) {
        const e = error as Error;
        expect({ label, error: `${e.name}: ${e.message}` }).not.toEqual({
          label,
          error: expect.stringMatching(/^(TypeError|RangeError|Error):|file not found/),
        });
      }
      outcomes.push({
        mode,
        steps: label,
        committed,
        lost: fired.length,
        ...(error ? { error: `${(error as Error).name}: ${(error as Error).message}` } : {}),
      });
      state = now;
    }
    // and a commit without faults still lands on top
    const { rows, after } = change(mode, k, state);
    await commit(faulty(), id, mode, rows);
    expect(same(await stateOf(id), after)).toBe(true);
    expect(await missingReferences(id)).toEqual([]);
  });

  afterAll(() => {
    const failed = outcomes.filter((o) => o.error);
    process.stderr.write(
      `lost-reply cases: ${outcomes.length}, committed ${outcomes.filter((o) => o.committed).length}, ` +
        `failed cleanly ${failed.length}, lost replies injected ${outcomes.reduce((n, o) => n + o.lost, 0)}\n` +
        failed
          .slice(0, 8)
          .map((o) => `  ${o.steps}: ${o.error}\n`)
          .join(''),
    );
  });
});
