/**
 * The SQL catalog on PostgreSQL or PGlite, with the tables of Iceberg Java's JdbcCatalog and PyIceberg's
 * SqlCatalog (`iceberg_tables`, `iceberg_namespace_properties`), so those engines can share it. The
 * commit point is a compare-and-swap on `metadata_location`; metadata files are
 * `<table>/metadata/NNNNN-<uuid>.metadata.json`.
 */
import { AlreadyExistsError } from '../io/errors';
import type { FileIO } from '../io/file-io';
import { parseTableMetadata } from '../spec/metadata-parse';
import { serializeTableMetadata } from '../spec/metadata-serialize';
import type { TableMetadata } from '../spec/table-metadata';
import { applyUpdates, checkRequirements } from './apply-updates';
import type { Catalog, CreateTableRequest, LoadedTable } from './catalog';
import {
  CommitConflictError,
  NamespaceAlreadyExistsError,
  NamespaceNotEmptyError,
  NoSuchNamespaceError,
  NoSuchTableError,
  TableAlreadyExistsError,
} from './errors';
import {
  deleteExpiredMetadata,
  metadataVersionOf,
  newTableMetadata,
  uuidMetadataPath,
  withMetadataLog,
} from './table-metadata-builder';
import { type CommitTableRequest, identifierToString, type TableIdentifier } from './updates';

/** The part of a Postgres driver the catalog needs (core/connectors/postgres PgDriver fits). */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;
}

const DDL = [
  `CREATE TABLE IF NOT EXISTS iceberg_tables (
     catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL,
     metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), iceberg_type VARCHAR(5),
     PRIMARY KEY (catalog_name, table_namespace, table_name))`,
  `CREATE TABLE IF NOT EXISTS iceberg_namespace_properties (
     catalog_name VARCHAR(255) NOT NULL, namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255) NOT NULL,
     property_value VARCHAR(1000), PRIMARY KEY (catalog_name, namespace, property_key))`,
];

export class SqlCatalog implements Catalog {
  readonly name: string;
  private ready?: Promise<void>;
  private readonly warehouse: string;

  constructor(
    private readonly db: SqlClient,
    readonly io: FileIO,
    warehouse: string,
    readonly catalogName = 'icefloe',
  ) {
    this.name = `sql:${catalogName}`;
    this.warehouse = warehouse.replace(/\/+$/, '');
  }

  private async init(): Promise<void> {
    this.ready ??= (async () => {
      for (const sql of DDL) {
        // Concurrent CREATE TABLE IF NOT EXISTS can still race on the catalog's unique index.
        await this.db.query(sql).catch(async () => this.db.query(sql));
      }
    })();
    return this.ready;
  }

  private async q(sql: string, params: unknown[] = []) {
    await this.init();
    return this.db.query(sql, params);
  }

  async listNamespaces(parent: string[] = []): Promise<string[][]> {
    const r = await this.q(
      `SELECT namespace AS ns FROM iceberg_namespace_properties WHERE catalog_name = $1
       UNION SELECT table_namespace AS ns FROM iceberg_tables WHERE catalog_name = $1`,
      [this.catalogName],
    );
    const out = new Set<string>();
    for (const row of r.rows) {
      const parts = String(row.ns).split('.');
      if (parts.length <= parent.length || parent.some((p, i) => parts[i] !== p)) continue;
      out.add(parts.slice(0, parent.length + 1).join('.'));
    }
    return [...out].sort().map((s) => s.split('.'));
  }

  async createNamespace(ns: string[], properties: Record<string, string> = {}): Promise<void> {
    if (await this.namespaceExists(ns))
      throw new NamespaceAlreadyExistsError(`namespace already exists: ${ns.join('.')}`);
    // PyIceberg marks an empty namespace with the property `exists`.
    for (const [k, v] of Object.entries({ exists: 'true', ...properties }))
      await this.q(
        `INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES ($1,$2,$3,$4)
         ON CONFLICT (catalog_name, namespace, property_key) DO UPDATE SET property_value = EXCLUDED.property_value`,
        [this.catalogName, ns.join('.'), k, v],
      );
  }

  async namespaceExists(ns: string[]): Promise<boolean> {
    const key = ns.join('.');
    const r = await this.q(
      `SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = $1 AND (namespace = $2 OR namespace LIKE $3)
       UNION ALL SELECT 1 FROM iceberg_tables WHERE catalog_name = $1 AND (table_namespace = $2 OR table_namespace LIKE $3) LIMIT 1`,
      [this.catalogName, key, `${key.replace(/[%_\\]/g, '\\$&')}.%`],
    );
    return r.rows.length > 0;
  }

  async loadNamespaceProperties(ns: string[]): Promise<Record<string, string>> {
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`namespace does not exist: ${ns.join('.')}`);
    const r = await this.q(
      'SELECT property_key, property_value FROM iceberg_namespace_properties WHERE catalog_name = $1 AND namespace = $2',
      [this.catalogName, ns.join('.')],
    );
    return Object.fromEntries(r.rows.map((row) => [String(row.property_key), String(row.property_value ?? '')]));
  }

  async updateNamespaceProperties(
    ns: string[],
    updates: Record<string, string>,
    removals: string[] = [],
  ): Promise<void> {
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`namespace does not exist: ${ns.join('.')}`);
    for (const k of removals)
      await this.q(
        'DELETE FROM iceberg_namespace_properties WHERE catalog_name = $1 AND namespace = $2 AND property_key = $3',
        [this.catalogName, ns.join('.'), k],
      );
    for (const [k, v] of Object.entries(updates))
      await this.q(
        `INSERT INTO iceberg_namespace_properties (catalog_name, namespace, property_key, property_value) VALUES ($1,$2,$3,$4)
         ON CONFLICT (catalog_name, namespace, property_key) DO UPDATE SET property_value = EXCLUDED.property_value`,
        [this.catalogName, ns.join('.'), k, v],
      );
  }

  async dropNamespace(ns: string[]): Promise<void> {
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`namespace does not exist: ${ns.join('.')}`);
    if ((await this.listTables(ns)).length > 0 || (await this.listNamespaces(ns)).length > 0)
      throw new NamespaceNotEmptyError(`namespace is not empty: ${ns.join('.')}`);
    await this.q('DELETE FROM iceberg_namespace_properties WHERE catalog_name = $1 AND namespace = $2', [
      this.catalogName,
      ns.join('.'),
    ]);
  }

  async listTables(ns: string[]): Promise<TableIdentifier[]> {
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`namespace does not exist: ${ns.join('.')}`);
    const r = await this.q(
      `SELECT table_name FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2
       AND (iceberg_type IS NULL OR iceberg_type = 'TABLE') ORDER BY table_name`,
      [this.catalogName, ns.join('.')],
    );
    return r.rows.map((row) => ({ namespace: ns, name: String(row.table_name) }));
  }

  private async pointer(id: TableIdentifier): Promise<string | undefined> {
    const r = await this.q(
      'SELECT metadata_location FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3',
      [this.catalogName, id.namespace.join('.'), id.name],
    );
    const loc = r.rows[0]?.metadata_location;
    return loc === undefined || loc === null ? undefined : String(loc);
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.pointer(id)) !== undefined;
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable> {
    const metadataLocation = await this.pointer(id);
    if (!metadataLocation) throw new NoSuchTableError(`table does not exist: ${identifierToString(id)}`);
    const metadata = parseTableMetadata(await this.io.read(metadataLocation), { source: metadataLocation });
    return { identifier: id, metadataLocation, metadata };
  }

  private async writeMetadata(m: TableMetadata, version: number): Promise<string> {
    const path = uuidMetadataPath(m.location, version);
    await this.io.write(path, new TextEncoder().encode(serializeTableMetadata(m)), { ifNoneMatch: '*' });
    return path;
  }

  async createTable(id: TableIdentifier, req: CreateTableRequest): Promise<LoadedTable> {
    if (!(await this.namespaceExists(id.namespace)))
      throw new NoSuchNamespaceError(`namespace does not exist: ${id.namespace.join('.')}`);
    if (await this.tableExists(id))
      throw new TableAlreadyExistsError(`table already exists: ${identifierToString(id)}`);
    const metadata = newTableMetadata(req, req.location ?? [this.warehouse, ...id.namespace, id.name].join('/'));
    return this.insert(id, metadata, await this.writeMetadata(metadata, 0));
  }

  private async insert(id: TableIdentifier, metadata: TableMetadata, metadataLocation: string): Promise<LoadedTable> {
    try {
      await this.q(
        `INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type)
         VALUES ($1,$2,$3,$4,NULL,'TABLE')`,
        [this.catalogName, id.namespace.join('.'), id.name, metadataLocation],
      );
    } catch (err) {
      await this.io.delete(metadataLocation).catch(() => undefined);
      if (await this.tableExists(id))
        throw new TableAlreadyExistsError(`table already exists: ${identifierToString(id)}`);
      throw err;
    }
    return { identifier: id, metadataLocation, metadata };
  }

  async registerTable(id: TableIdentifier, metadataLocation: string): Promise<LoadedTable> {
    if (await this.tableExists(id))
      throw new TableAlreadyExistsError(`table already exists: ${identifierToString(id)}`);
    const metadata = parseTableMetadata(await this.io.read(metadataLocation), { source: metadataLocation });
    return this.insert(id, metadata, metadataLocation);
  }

  async dropTable(id: TableIdentifier, purge = false): Promise<void> {
    const t = await this.loadTable(id);
    await this.q('DELETE FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3', [
      this.catalogName,
      id.namespace.join('.'),
      id.name,
    ]);
    if (!purge) return;
    const doomed: string[] = [];
    for await (const f of this.io.list(`${t.metadata.location}/`)) doomed.push(f.path);
    await Promise.all(doomed.map((p) => this.io.delete(p).catch(() => undefined)));
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    if (!(await this.tableExists(from)))
      throw new NoSuchTableError(`table does not exist: ${identifierToString(from)}`);
    if (!(await this.namespaceExists(to.namespace)))
      throw new NoSuchNamespaceError(`namespace does not exist: ${to.namespace.join('.')}`);
    if (await this.tableExists(to))
      throw new TableAlreadyExistsError(`table already exists: ${identifierToString(to)}`);
    await this.q(
      `UPDATE iceberg_tables SET table_namespace = $4, table_name = $5
       WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3`,
      [this.catalogName, from.namespace.join('.'), from.name, to.namespace.join('.'), to.name],
    );
  }

  async commitTable(req: CommitTableRequest): Promise<LoadedTable> {
    const base = await this.loadTable(req.identifier);
    checkRequirements(base.metadata, req.requirements);
    const next = withMetadataLog(applyUpdates(base.metadata, req.updates), base.metadata, base.metadataLocation);
    let path: string;
    try {
      path = await this.writeMetadata(next, metadataVersionOf(base.metadataLocation) + 1);
    } catch (err) {
      if (err instanceof AlreadyExistsError)
        throw new CommitConflictError(`${identifierToString(req.identifier)}: metadata file exists`);
      throw err;
    }
    // The commit point: swap the pointer only if nobody moved it since we loaded.
    const r = await this.q(
      `UPDATE iceberg_tables SET metadata_location = $4, previous_metadata_location = $5
       WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3 AND metadata_location = $5`,
      [this.catalogName, req.identifier.namespace.join('.'), req.identifier.name, path, base.metadataLocation],
    );
    if (r.rowCount !== 1) {
      await this.io.delete(path).catch(() => undefined);
      throw new CommitConflictError(
        `${identifierToString(req.identifier)}: metadata location moved by a concurrent commit`,
      );
    }
    await deleteExpiredMetadata(this.io, base.metadata, next, base.metadataLocation);
    return { identifier: req.identifier, metadataLocation: path, metadata: next };
  }
}
