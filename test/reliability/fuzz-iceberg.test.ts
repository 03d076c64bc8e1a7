/**
 * Hostile Iceberg files: byte- and text-mutated real metadata JSON, manifest lists and manifests from
 * `../shared/fixtures/iceberg/*\/metadata/` (read in place). Each input must end in a result or a named
 * IcefloeError (InvalidIcebergError …): never a TypeError/RangeError escaping, a hang, or an unhandled rejection.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readManifestList } from '../../core/iceberg/avro/manifest-list';
import { readManifest } from '../../core/iceberg/avro/manifest-read';
import { parseTableMetadata } from '../../core/iceberg/spec/metadata-parse';
import { applyByteEdits, applyTextEdits, byteEdit, HANG_MS, type Outcome, outcomeOf, textEdit } from './mutate';

const FIXTURES = join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'iceberg');
const MAX_BYTES = 256 * 1024;

interface Seed {
  path: string;
  bytes: Uint8Array;
}

function seeds(match: (file: string) => boolean): Seed[] {
  const out: Seed[] = [];
  for (const table of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, table, 'metadata');
    let files: string[];
    try {
      files = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const f of files) {
      const path = join(dir, f);
      if (match(f) && statSync(path).size <= MAX_BYTES) out.push({ path, bytes: readFileSync(path) });
    }
  }
  return out;
}

const METADATA = seeds((f) => f.endsWith('.metadata.json'));
const LISTS = seeds((f) => f.startsWith('snap-') && f.endsWith('.avro'));
const MANIFESTS = seeds((f) => !f.startsWith('snap-') && f.endsWith('.avro') && !f.includes('manifest-list'));
const RUNS = 200;

const rejections: unknown[] = [];
const onRejection = (r: unknown) => rejections.push(r);
beforeAll(() => process.on('unhandledRejection', onRejection));
afterAll(() => process.off('unhandledRejection', onRejection));

const tally = { ok: 0, named: 0 };
function expectContained(o: Outcome, what: string): void {
  if (o.kind === 'escaped') throw new Error(`escaped ${o.name}: ${o.message} (${what})`);
  tally[o.kind]++;
  expect(o.ms).toBeLessThan(HANG_MS);
}

describe('Iceberg readers under mutated real files', () => {
  it('found real files to mutate', () => {
    expect(METADATA.length).toBeGreaterThan(50);
    expect(LISTS.length).toBeGreaterThan(20);
    expect(MANIFESTS.length).toBeGreaterThan(20);
  });

  it('the unmutated files parse (a few fixtures are invalid on purpose, e.g. a v0 without format-version)', async () => {
    const outcomes = await Promise.all(
      METADATA.map((s) => outcomeOf(() => parseTableMetadata(s.bytes, { source: s.path }))),
    );
    expect(outcomes.filter((o) => o.kind === 'escaped')).toEqual([]);
    expect(outcomes.filter((o) => o.kind === 'ok').length).toBeGreaterThan(METADATA.length * 0.9);
    for (const s of LISTS) readManifestList(s.bytes, { path: s.path });
  });

  it('parseTableMetadata: text mutations of metadata JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(METADATA.length - 1),
        fc.array(textEdit, { minLength: 1, maxLength: 5 }),
        async (i, edits) => {
          const s = METADATA[i] as Seed;
          const text = applyTextEdits(Buffer.from(s.bytes).toString('utf8'), edits);
          expectContained(
            await outcomeOf(() => parseTableMetadata(text, { source: s.path })),
            `${s.path} ${JSON.stringify(edits)}`,
          );
        },
      ),
      { numRuns: RUNS, seed: 7001 },
    );
  });

  it('parseTableMetadata: byte mutations (also of gzip input)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(METADATA.length - 1),
        fc.array(byteEdit, { minLength: 1, maxLength: 4 }),
        async (i, edits) => {
          const s = METADATA[i] as Seed;
          const bytes = applyByteEdits(s.bytes, edits);
          expectContained(
            await outcomeOf(() => parseTableMetadata(bytes, { source: s.path })),
            `${s.path} ${JSON.stringify(edits)}`,
          );
        },
      ),
      { numRuns: RUNS, seed: 7002 },
    );
  });

  it('readManifestList: byte mutations of real manifest lists', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(LISTS.length - 1),
        fc.array(byteEdit, { minLength: 1, maxLength: 4 }),
        async (i, edits) => {
          const s = LISTS[i] as Seed;
          const bytes = applyByteEdits(s.bytes, edits);
          expectContained(
            await outcomeOf(() => readManifestList(bytes, { path: s.path })),
            `${s.path} ${JSON.stringify(edits)}`,
          );
        },
      ),
      { numRuns: RUNS, seed: 7003 },
    );
  });

  it('readManifest: byte mutations of real manifests', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(MANIFESTS.length - 1),
        fc.array(byteEdit, { minLength: 1, maxLength: 4 }),
        async (i, edits) => {
          const s = MANIFESTS[i] as Seed;
          const bytes = applyByteEdits(s.bytes, edits);
          expectContained(
            await outcomeOf(() => readManifest(bytes, { path: s.path })),
            `${s.path} ${JSON.stringify(edits)}`,
          );
        },
      ),
      { numRuns: RUNS, seed: 7004 },
    );
  });

  it('mutations were mostly caught as named errors, and nothing was left unhandled', () => {
    expect(tally.named).toBeGreaterThan(0);
    expect(rejections).toEqual([]);
  });
});
