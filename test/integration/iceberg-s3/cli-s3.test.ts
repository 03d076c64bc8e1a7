/**
 * `icefloe table` on `s3://` URIs: the CLI builds its own S3 FileIO from `--endpoint` and the
 * environment's credentials, finds the current metadata by hint or by listing, and reports a
 * missing object with its s3:// URI.
 */
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runCli } from '../../helpers/cli';
import { S3RVER_CREDENTIALS, type S3Server, startS3Server, uploadDir } from '../../helpers/s3-server';
import { FIXTURES } from '../iceberg-fixtures/fixture-helpers';

const run = (...argv: string[]) => runCli(argv);

describe('icefloe table on s3:// (s3rver)', () => {
  let server: S3Server;
  const saved = { ...process.env };

  beforeAll(async () => {
    server = await startS3Server();
    process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
    process.env.AWS_REGION = 'us-east-1';
    for (const t of ['icebird-athena-example', 'impala-v2-delete-positional']) {
      await uploadDir(server.endpoint, server.bucket, `w/${t}`, join(FIXTURES, t));
    }
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    await server?.stop();
  });

  it('scans a table folder found by listing (no version hint)', async () => {
    const r = await run(
      'table',
      'scan',
      `s3://${server.bucket}/w/icebird-athena-example`,
      '--allow-moved-paths',
      '--endpoint',
      server.endpoint,
    );
    expect(r).toEqual({ code: 0, stdout: '{"id":1,"name":"Alice"}\n{"id":2,"name":"Bob"}\n', stderr: '' });
  });

  it('applies position deletes whose paths say hdfs:// to files served from s3', async () => {
    const r = await run(
      'table',
      'scan',
      `s3://${server.bucket}/w/impala-v2-delete-positional/metadata/v2.metadata.json`,
      '--allow-moved-paths',
      '--endpoint',
      server.endpoint,
    );
    expect(r.stdout).toBe('{"id":1,"data":"a"}\n{"id":3,"data":"c"}\n');
  });

  it('names the missing s3 object, exit 2, no rows', async () => {
    const table = `s3://${server.bucket}/w/impala-v2-delete-positional`;
    const client = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    const r0 = await run('table', 'describe', table, '--endpoint', server.endpoint, '--json');
    expect(r0.code).toBe(0);
    const listed = await run('table', 'history', table, '--endpoint', server.endpoint);
    expect(listed.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    // remove the only data file (the other parquet file holds the position deletes)
    const data = 'w/impala-v2-delete-positional/data/00000-0-fb178c51-b12a-4c5f-a66e-a8e9375daeba-00001.parquet';
    await client.send(new DeleteObjectCommand({ Bucket: server.bucket, Key: data }));
    client.destroy();
    const r = await run('table', 'scan', table, '--allow-moved-paths', '--endpoint', server.endpoint);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `error: file not found: s3://${server.bucket}/${data}\n`]);
  });
});
