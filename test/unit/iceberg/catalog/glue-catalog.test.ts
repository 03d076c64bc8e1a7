/**
 * The Glue catalog through the real @aws-sdk/client-glue, with the HTTP transport stubbed by a small
 * in-memory Glue (awsJson1_1: `X-Amz-Target: AWSGlue.<Op>`), including VersionId optimistic locking.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GlueClient } from '@aws-sdk/client-glue';
import { GlueCatalog } from '../../../../core/iceberg/catalog/glue-catalog';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { describeCatalogContract } from './catalog.contract';

// biome-ignore lint/suspicious/noExplicitAny: a fake service reads loosely shaped JSON
type Obj = Record<string, any>;

function fakeGlue() {
  const dbs = new Map<string, Obj>();
  const tables = new Map<string, Obj>();
  const fail = (type: string): never => {
    throw Object.assign(new Error(type), { glueType: type });
  };
  const key = (db: string, t: string) => `${db}.${t}`;
  const ops: Record<string, (b: Obj) => Obj> = {
    GetDatabases: () => ({ DatabaseList: [...dbs.values()] }),
    CreateDatabase: (b) => {
      if (dbs.has(b.DatabaseInput.Name)) fail('AlreadyExistsException');
      dbs.set(b.DatabaseInput.Name, { ...b.DatabaseInput });
      return {};
    },
    GetDatabase: (b) => ({ Database: dbs.get(b.Name) ?? fail('EntityNotFoundException') }),
    UpdateDatabase: (b) => {
      dbs.set(b.Name, { ...b.DatabaseInput });
      return {};
    },
    DeleteDatabase: (b) => {
      dbs.delete(b.Name);
      return {};
    },
    GetTables: (b) => ({ TableList: [...tables.values()].filter((t) => t.DatabaseName === b.DatabaseName) }),
    GetTable: (b) => ({ Table: tables.get(key(b.DatabaseName, b.Name)) ?? fail('EntityNotFoundException') }),
    CreateTable: (b) => {
      const k = key(b.DatabaseName, b.TableInput.Name);
      if (tables.has(k)) fail('AlreadyExistsException');
      tables.set(k, { ...b.TableInput, DatabaseName: b.DatabaseName, VersionId: '1' });
      return {};
    },
    UpdateTable: (b) => {
      const k = key(b.DatabaseName, b.TableInput.Name);
      const cur = tables.get(k) ?? fail('EntityNotFoundException');
      if (b.VersionId !== undefined && b.VersionId !== cur.VersionId) fail('ConcurrentModificationException');
      tables.set(k, { ...b.TableInput, DatabaseName: b.DatabaseName, VersionId: String(Number(cur.VersionId) + 1) });
      return {};
    },
    DeleteTable: (b) => {
      tables.delete(key(b.DatabaseName, b.Name));
      return {};
    },
  };
  return {
    tables,
    async handle(req: { headers: Record<string, string>; body: string | Uint8Array }) {
      const op = String(req.headers['x-amz-target']).replace('AWSGlue.', '');
      let status = 200;
      let out: Obj;
      try {
        const fn = ops[op];
        if (!fn) throw new Error(`unsupported ${op}`);
        const text = typeof req.body === 'string' ? req.body : Buffer.from(req.body ?? []).toString('utf8');
        out = fn(JSON.parse(text || '{}'));
      } catch (err) {
        status = 400;
        out = { __type: (err as Obj).glueType ?? 'InternalServiceException', message: (err as Error).message };
      }
      // A plain object is what HttpResponse.isInstance checks for (statusCode, headers, body).
      const response = {
        statusCode: status,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          ...(status !== 200 ? { 'x-amzn-errortype': out.__type } : {}),
        },
        body: Readable.from([Buffer.from(JSON.stringify(out))]),
      };
      return { response };
    },
  };
}

describeCatalogContract('glue (SDK with a stubbed transport)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'icefloe-gluecat-'));
  const client = new GlueClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    requestHandler: fakeGlue() as never,
    maxAttempts: 1,
  });
  return {
    catalog: new GlueCatalog({ client, warehouse: dir }, new LocalFileIO()),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('glue table entries', () => {
  it('carry the parameters Athena reads and move previous_metadata_location on commit with VersionId', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'icefloe-glueparams-'));
    const fake = fakeGlue();
    const client = new GlueClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      requestHandler: fake as never,
      maxAttempts: 1,
    });
    const catalog = new GlueCatalog({ client, warehouse: dir }, new LocalFileIO());
    try {
      await catalog.createNamespace(['db']);
      const schema = {
        type: 'struct' as const,
        'schema-id': 0,
        fields: [
          { id: 1, name: 'id', required: true, type: 'long' },
          { id: 2, name: 'amount', required: false, type: 'decimal(10, 2)' },
        ],
      };
      const created = await catalog.createTable({ namespace: ['db'], name: 'orders' }, { schema });
      const after = await catalog.commitTable({
        identifier: { namespace: ['db'], name: 'orders' },
        requirements: [],
        updates: [{ action: 'set-properties', updates: { a: 'b' } }],
      });
      const t = fake.tables.get('db.orders') as Obj;
      expect(t.Parameters).toEqual({
        table_type: 'ICEBERG',
        metadata_location: after.metadataLocation,
        previous_metadata_location: created.metadataLocation,
      });
      expect(t.VersionId).toBe('2');
      expect(t.StorageDescriptor.Location).toBe(`${dir}/db.db/orders`);
      expect(t.StorageDescriptor.Columns.map((c: Obj) => `${c.Name}:${c.Type}`)).toEqual([
        'id:bigint',
        'amount:decimal(10,2)',
      ]);
      expect(after.metadataLocation).toMatch(/\/metadata\/00001-[0-9a-f-]{36}\.metadata\.json$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
