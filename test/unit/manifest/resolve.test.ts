import { join } from 'node:path';
import {
  lakehouseDepotFromEnv,
  loadManifests,
  parseManifestText,
  resolveAddress,
  resolveSecret,
  toManifestSet,
} from '../../../core/manifest';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

describe('resolveAddress', () => {
  it('resolves declared depots, lakehouse depots, and reports unknown ones', async () => {
    const { set, problems } = await loadManifests([join(EXAMPLES, 'quickstart')]);
    expect(problems).toEqual([]);
    const pg = resolveAddress(set, 'dataos://postgres_depot:retail/orders');
    expect(
      pg.ok && [pg.depot.depot.type, pg.collection, pg.dataset, pg.depot.depot.postgresql?.embedded?.path],
    ).toEqual(['postgresql', 'retail', 'orders', join(EXAMPLES, 'quickstart', '.icefloe', 'pg')]);
    const lh = resolveAddress(set, 'dataos://testawslh');
    expect(lh.ok && [lh.depot.depot.type, lh.depot.depot.lakehouse?.storage.file?.path]).toEqual([
      'lakehouse',
      join(EXAMPLES, 'quickstart', '.icefloe', 'warehouse'),
    ]);
    const gen = resolveAddress(set, 'dataos://sample_data');
    expect(gen.ok && gen.depot.depot.generator).toEqual({ rows: 100000, seed: 42 });
    const bad = resolveAddress(set, 'dataos://nope');
    expect(!bad.ok && bad.problem.message).toBe(
      "unknown depot 'nope' in dataos://nope; known depots: postgres_depot, sample_data, testawslh",
    );
    const malformed = resolveAddress(set, 'dataos:/x');
    expect(!malformed.ok && malformed.problem.message).toBe("address 'dataos:/x' must start with dataos://");
  });

  it('scopes sibling folders: each quickstart sees its own testawslh', async () => {
    const { set, problems } = await loadManifests([EXAMPLES]);
    expect(problems).toEqual([]);
    const wf = set.workflows.find((w) => w.source.file.includes('quickstart-server'));
    const r = resolveAddress(set, 'dataos://testawslh', wf);
    expect(r.ok && r.depot.depot.s3?.endpoint).toBe('http://127.0.0.1:4568');
    const ambiguous = resolveAddress(set, 'dataos://testawslh');
    expect(ambiguous.ok).toBe(false);
  });
});

describe('resolveSecret', () => {
  const text = `name: s-rw
version: v1
type: instance-secret
instance-secret:
  type: key-value-properties
  acl: rw
  data:
    username: \${PGUSER:-postgres}
    password: \${ICEFLOE_TEST_PASSWORD}
    plain: literal
`;
  const set = toManifestSet(parseManifestText(text, 's.yaml').manifests);

  it('interpolates ${VAR} and ${VAR:-default} from the environment', () => {
    const r = resolveSecret(set, 's-rw', { ICEFLOE_TEST_PASSWORD: 'hunter2' });
    expect(r.ok && r.data).toEqual({ username: 'postgres', password: 'hunter2', plain: 'literal' });
  });

  it('names a missing variable without printing any value', () => {
    const r = resolveSecret(set, 's-rw', { PGUSER: 'topsecretuser' });
    expect(!r.ok && r.problem.message).toBe(
      "instance-secret 's-rw': environment variable not set for password (${ICEFLOE_TEST_PASSWORD})",
    );
    expect(JSON.stringify(r)).not.toContain('topsecretuser');
  });

  it('reports an unknown secret', () => {
    const r = resolveSecret(set, 'other', {});
    expect(!r.ok && r.problem.message).toBe("unknown instance-secret 'other'");
  });
});

describe('lakehouseDepotFromEnv (the seed environment form)', () => {
  const env = {
    TYPE: 'S3',
    DESTINATION_BUCKET: 's3://my-bucket/lake/house/',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'very-secret',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT: 'http://127.0.0.1:4568',
  };

  it('builds the lakehouse depot and a secret that refers to the variables', () => {
    const r = lakehouseDepotFromEnv(env, 'testawslh');
    expect(r.problems).toEqual([]);
    expect(r.depot?.name).toBe('testawslh');
    expect(r.depot?.depot.s3).toEqual({
      bucket: 'my-bucket',
      relativePath: 'lake/house',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4568',
      secrets: [{ name: 'testawslh-rw', allkeys: true }],
    });
    expect(r.lakehouse?.lakehouse.metastore.type).toBe('file');
    expect(JSON.stringify(r)).not.toContain('very-secret');
    const set = toManifestSet(r.secret ? [r.secret] : []);
    const s = resolveSecret(set, 'testawslh-rw', env);
    expect(s.ok && s.data).toEqual({ awsaccesskeyid: 'AKIAEXAMPLE', awssecretaccesskey: 'very-secret' });
  });

  it('defaults to the glue metastore on AWS and reports bad variables', () => {
    const { AWS_ENDPOINT: _e, ...aws } = env;
    expect(lakehouseDepotFromEnv(aws).lakehouse?.lakehouse.metastore.type).toBe('glue');
    expect(lakehouseDepotFromEnv({ TYPE: 'GCS', DESTINATION_BUCKET: 'b' }).problems.map((p) => p.message)).toEqual([
      "TYPE must be S3, got 'GCS'",
      "DESTINATION_BUCKET must be s3://bucket-name/path, got 'b'",
      'AWS_REGION is not set (e.g. us-east-1)',
    ]);
    expect(lakehouseDepotFromEnv({})).toEqual({ problems: [] });
  });
});
