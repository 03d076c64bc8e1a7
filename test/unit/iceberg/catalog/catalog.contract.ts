/**
 * The catalog contract: every Catalog implementation (file local/S3, sql, rest → `icefloe catalog serve`)
 * runs these same tests. Each test uses its own namespace.
 */
import { randomBytes } from 'node:crypto';
import * as arrow from 'apache-arrow';
import type { Catalog } from '../../../../core/iceberg/catalog/catalog';
import {
  CommitConflictError,
  NamespaceNotEmptyError,
  NoSuchTableError,
  TableAlreadyExistsError,
} from '../../../../core/iceberg/catalog/errors';
import type { Schema } from '../../../../core/iceberg/spec/schema';
import { ensureTable, writeArrow } from '../../../../core/iceberg/transaction/write-arrow';
import { readRows } from '../transaction/read-back';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
  ],
};

export interface CatalogUnderTest {
  catalog: Catalog;
  close(): Promise<void>;
}

export function describeCatalogContract(label: string, make: () => Promise<CatalogUnderTest>): void {
  describe(`catalog contract: ${label}`, () => {
    let cut: CatalogUnderTest;
    let catalog: Catalog;
    const ns = () => [`ns_${randomBytes(3).toString('hex')}`];
    beforeAll(async () => {
      cut = await make();
      catalog = cut.catalog;
    });
    afterAll(async () => cut?.close());

    it('creates, lists, describes and drops namespaces', async () => {
      const n = ns();
      await catalog.createNamespace(n, { owner: 'me' });
      expect(await catalog.namespaceExists(n)).toBe(true);
      expect(await catalog.listNamespaces()).toContainEqual(n);
      expect(await catalog.loadNamespaceProperties(n)).toMatchObject({ owner: 'me' });
      await catalog.updateNamespaceProperties(n, { team: 'x' }, ['owner']);
      const props = await catalog.loadNamespaceProperties(n);
      expect(props.team).toBe('x');
      expect(props.owner).toBeUndefined();
      await catalog.createTable({ namespace: n, name: 't' }, { schema });
      await expect(catalog.dropNamespace(n)).rejects.toBeInstanceOf(NamespaceNotEmptyError);
      await catalog.dropTable({ namespace: n, name: 't' });
      await catalog.dropNamespace(n);
      expect(await catalog.namespaceExists(n)).toBe(false);
    });

    it('creates, loads, lists, renames and drops tables', async () => {
      const n = ns();
      await catalog.createNamespace(n);
      const id = { namespace: n, name: 'events' };
      const created = await catalog.createTable(id, { schema, properties: { a: '1' } });
      expect(created.metadata['format-version']).toBe(2);
      await expect(catalog.createTable(id, { schema })).rejects.toBeInstanceOf(TableAlreadyExistsError);
      const loaded = await catalog.loadTable(id);
      expect(loaded.metadata['table-uuid']).toBe(created.metadata['table-uuid']);
      expect(loaded.metadata.properties.a).toBe('1');
      expect(loaded.metadata.schemas[0]?.fields.map((f) => f.name)).toEqual(['id', 'name']);
      expect(await catalog.listTables(n)).toEqual([id]);
      const to = { namespace: n, name: 'renamed' };
      await catalog.renameTable(id, to);
      expect(await catalog.tableExists(id)).toBe(false);
      expect((await catalog.loadTable(to)).metadata['table-uuid']).toBe(created.metadata['table-uuid']);
      await catalog.dropTable(to);
      await expect(catalog.loadTable(to)).rejects.toBeInstanceOf(NoSuchTableError);
    });

    it('commits updates with requirements and rejects stale ones with CommitConflictError', async () => {
      const n = ns();
      await catalog.createNamespace(n);
      const id = { namespace: n, name: 't' };
      const t = await catalog.createTable(id, { schema });
      const uuid = t.metadata['table-uuid'] as string;
      const after = await catalog.commitTable({
        identifier: id,
        requirements: [
          { type: 'assert-table-uuid', uuid },
          { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
        ],
        updates: [{ action: 'set-properties', updates: { k: 'v' } }],
      });
      expect(after.metadata.properties.k).toBe('v');
      expect(after.metadata['metadata-log']).toHaveLength(1);
      await expect(
        catalog.commitTable({
          identifier: id,
          requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }],
          updates: [],
        }),
      ).rejects.toMatchObject({ name: 'CommitConflictError', retryable: true });
      await expect(
        catalog.commitTable({
          identifier: id,
          requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 7 }],
          updates: [],
        }),
      ).rejects.toBeInstanceOf(CommitConflictError);
    });

    it('lets exactly one of two racing commits on the same base win', async () => {
      const n = ns();
      await catalog.createNamespace(n);
      const id = { namespace: n, name: 't' };
      await catalog.createTable(id, { schema });
      const data = new arrow.Table({
        id: arrow.makeVector(BigInt64Array.from([1n])),
        name: arrow.vectorFromArray(['a'], new arrow.Utf8()),
      });
      await writeArrow(catalog, id, data, { mode: 'append' });
      const base = (await catalog.loadTable(id)).metadata['current-snapshot-id'];
      const commit = (v: string) =>
        catalog.commitTable({
          identifier: id,
          requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': base }],
          updates: [
            { action: 'remove-snapshot-ref', 'ref-name': 'main' },
            { action: 'set-properties', updates: { winner: v } },
          ],
        });
      const results = await Promise.allSettled([commit('a'), commit('b')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failed.reason).toBeInstanceOf(CommitConflictError);
    });

    it('appends and overwrites data through the catalog and reads it back', async () => {
      const n = ns();
      const id = { namespace: n, name: 'data' };
      const t = (ids: bigint[]) =>
        new arrow.Table({
          id: arrow.makeVector(BigInt64Array.from(ids)),
          name: arrow.vectorFromArray(ids.map(String), new arrow.Utf8()),
        });
      await ensureTable(catalog, id, t([1n]).schema);
      await writeArrow(catalog, id, t([1n, 2n]), { mode: 'append' });
      await writeArrow(catalog, id, t([3n]), { mode: 'append' });
      expect(await readRows(catalog, id)).toHaveLength(3);
      await writeArrow(catalog, id, t([4n]), { mode: 'overwrite' });
      expect(await readRows(catalog, id)).toEqual([{ id: 4n, name: '4' }]);
      expect((await catalog.loadTable(id)).metadata.snapshots).toHaveLength(3);
    });
  });
}
