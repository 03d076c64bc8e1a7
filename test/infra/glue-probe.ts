/**
 * Bundled by bundled-handlers.test.ts with the task functions' esbuild settings (so `@aws-sdk/client-glue` is the
 * bundles' trimmed stand-in), then run with plain node: the Glue catalog sends its requests and reads Glue's
 * answers, success and error, through that client. Glue is answered by a local request handler.
 * Prints `{ namespaces, exists, targets }` as JSON.
 */
import { Readable } from 'node:stream';
import { GlueClient } from '@aws-sdk/client-glue';
import { GlueCatalog } from '../../core/iceberg/catalog/glue-catalog';
import { MemoryFileIO } from '../../core/iceberg/io/memory';

const targets: string[] = [];
const answer = (statusCode: number, body: object, headers: Record<string, string> = {}) => ({
  response: {
    statusCode,
    reason: '',
    headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
    body: Readable.from([Buffer.from(JSON.stringify(body))]),
  },
});
const requestHandler = {
  handle: async (request: { headers: Record<string, string> }) => {
    const target = request.headers['x-amz-target'] ?? '';
    targets.push(target);
    if (target.endsWith('.GetDatabases')) return answer(200, { DatabaseList: [{ Name: 'sales' }, { Name: 'retail' }] });
    return answer(
      400,
      { __type: 'EntityNotFoundException', Message: 'Database nope not found.' },
      { 'x-amzn-errortype': 'EntityNotFoundException' },
    );
  },
};

async function main(): Promise<void> {
  const client = new GlueClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'probe', secretAccessKey: 'probe' },
    requestHandler: requestHandler as never,
    maxAttempts: 1,
  });
  const catalog = new GlueCatalog({ client, warehouse: 's3://probe/warehouse' }, new MemoryFileIO());
  const namespaces = await catalog.listNamespaces();
  const exists = await catalog.namespaceExists(['nope']);
  process.stdout.write(`${JSON.stringify({ namespaces, exists, targets })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
