import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests, resolveAddress } from '../../../core/manifest';
import type { LakehouseManifest, WorkflowManifest } from '../../../core/manifest/types';

/** The seed documents must be accepted exactly as written: read their ```yaml blocks in place. */
const ROOT = join(__dirname, '..', '..', '..');
const SEEDS = join(ROOT, '..', 'shared', 'seeds');
const EXAMPLES = join(ROOT, 'examples');

function seedBlocks(): { name: string; yaml: string }[] {
  return readdirSync(SEEDS)
    .filter((f) => /^\d+_.*\.txt$/.test(f))
    .sort()
    .flatMap((f) => {
      const text = readFileSync(join(SEEDS, f), 'utf8');
      return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)]
        .map((m) => m[1] as string)
        .filter((y) => /^type:/m.test(y))
        .map((yaml) => ({ name: f, yaml }));
    });
}

describe('seed manifests', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-seeds-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the workflow and the lakehouse samples in the seed documents', () => {
    expect(seedBlocks().map((b) => b.name)).toEqual(['000_cb0c63e205513f14.txt', '003_380c1e846decfa7c.txt']);
  });

  it('validates the seed YAML read from the seed documents, with the example depots and secrets', async () => {
    const files = seedBlocks().map((b, i) => {
      const file = join(dir, `seed-${i}.yaml`);
      writeFileSync(file, b.yaml);
      return file;
    });
    const { set, problems } = await loadManifests([...files, join(EXAMPLES, 'seeds', 'depots.yaml')]);
    expect(problems).toEqual([]);
    const wf = set.workflows[0] as WorkflowManifest;
    const job = wf.workflow.dag[0];
    expect(job?.spec.stackSpec.sink.options).toEqual({
      destTable: 'retail.orders',
      incrementalStrategy: 'merge',
      primaryKey: ['order_id'],
    });
    expect(job?.spec.resources).toEqual({ requests: { cpu: 500, memoryMiB: 512 } });
    expect(wf.workspace).toBe('research');
  });

  it('keeps byte-exact copies in examples/seeds', () => {
    const [workflow, lakehouse] = seedBlocks();
    expect(readFileSync(join(EXAMPLES, 'seeds', 'aws-lakehouse-workflow.yaml'), 'utf8')).toBe(workflow?.yaml);
    expect(readFileSync(join(EXAMPLES, 'seeds', 'lakehouse-alphaomega.yaml'), 'utf8')).toBe(lakehouse?.yaml);
  });

  it('reads the alphaomega lakehouse with metastore and queryEngine beside iceberg', async () => {
    const { set, problems } = await loadManifests([join(EXAMPLES, 'seeds')]);
    expect(problems).toEqual([]);
    const lh = set.lakehouses.find((l) => l.name === 'alphaomega') as LakehouseManifest;
    expect(lh.lakehouse).toEqual({
      type: 'iceberg',
      compute: 'runnable-default',
      storage: {
        depotName: 'alphaomega',
        type: 's3',
        s3: {
          bucket: 'dataos-lakehouse',
          relativePath: 'test',
          secrets: [
            { name: 'alphaomega-r', keys: ['alphaomega-r'], allkeys: true },
            { name: 'alphaomega-rw', keys: ['alphaomega-rw'], allkeys: true },
          ],
        },
      },
      metastore: { type: 'iceberg-rest-catalog' },
      queryEngine: { type: 'themis' },
    });
    const r = resolveAddress(set, 'dataos://alphaomega:sales/orders');
    expect(r.ok && { type: r.depot.depot.type, collection: r.collection, dataset: r.dataset }).toEqual({
      type: 'lakehouse',
      collection: 'sales',
      dataset: 'orders',
    });
  });

  it.each(['seeds', 'quickstart', 'quickstart-server', ''])('examples/%s validates', async (sub) => {
    const { problems } = await loadManifests([join(EXAMPLES, sub)]);
    expect(problems).toEqual([]);
  });
});
