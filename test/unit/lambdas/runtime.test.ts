import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRuntime } from '../../../lambdas/_shared/runtime';

describe('lambda runtime', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'icefloe-lambda-rt-'));
    writeFileSync(
      join(dir, 'gen.yaml'),
      'name: gen\nversion: v1\ntype: depot\ndepot:\n  type: generator\n  generator:\n    rows: 10\n    seed: 1\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('needs STAGING_BUCKET', async () => {
    await expect(getRuntime({ ICEFLOE_MANIFESTS: dir })).rejects.toThrow('STAGING_BUCKET is not set');
  });

  it('loads the manifests once and stages in the bucket', async () => {
    const rt = await getRuntime({ STAGING_BUCKET: 'stage-bkt', ICEFLOE_MANIFESTS: dir, AWS_REGION: 'eu-west-1' });
    expect(rt.staging.location('staging/x')).toBe('s3://stage-bkt/staging/x');
    expect(await getRuntime()).toBe(rt);
  });
});
