/**
 * AWS Glue Data Catalog as an Iceberg catalog, with the table parameters Athena and Iceberg's
 * GlueCatalog use: `table_type=ICEBERG`, `metadata_location`, `previous_metadata_location`. A commit
 * writes `NNNNN-<uuid>.metadata.json`, then `UpdateTable` with the `VersionId` read at load time:
 * Glue's optimistic locking makes a concurrent update fail (ConcurrentModificationException →
 * CommitConflictError). Glue databases are single-level namespaces.
 */
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetDatabasesCommand,
  GetTableCommand,
  GetTablesCommand,
  GlueClient,
  type Table,
  UpdateDatabaseCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { InvalidInputError } from '../../errors';
import type { FileIO } from '../io/file-io';
import { parseTableMetadata } from '../spec/metadata-parse';
import { serializeTableMetadata } from '../spec/metadata-serialize';
import { currentSchema } from '../spec/snapshot-select';
import type { TableMetadata } from '../spec/table-metadata';
import { type IcebergType, primitiveKind } from '../spec/types';
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

/** What the catalog needs of a Glue client (a GlueClient, or a stub in tests). */
export interface GlueClientLike {
  send(command: unknown): Promise<unknown>;
}

export interface GlueCatalogOptions {
  client?: GlueClientLike;
  region?: string;
  /** Default location root for new tables: `<warehouse>/<db>.db/<table>` (Iceberg's GlueCatalog layout). */
  warehouse: string;
  catalogId?: string;
}

/** Hive type text of an Iceberg type, as Iceberg's GlueCatalog writes column types for Athena's console. */
function hiveType(t: IcebergType): string {
  if (typeof t !== 'string') {
    if (t.type === 'struct') return `struct<${t.fields.map((f) => `${f.name}:${hiveType(f.type)}`).join(',')}>`;
    if (t.type === 'list') return `array<${hiveType(t.element)}>`;
    return `map<${hiveType(t.key)},${hiveType(t.value)}>`;
  }
  const k = primitiveKind(t);
  switch (k?.kind) {
    case 'long':
      return 'bigint';
    case 'decimal':
      return `decimal(${k.precision},${k.scale})`;
    case 'timestamptz':
    case 'timestamp_ns':
    case 'timestamptz_ns':
      return 'timestamp';
    case 'time':
    case 'uuid':
      return 'string';
    case 'fixed':
      return 'binary';
    default:
      return k?.kind ?? 'string';
  }
}

function glueColumns(m: TableMetadata) {
  const schema = currentSchema(m);
  return (schema?.fields ?? []).map((f) => ({
    Name: f.name,
    Type: hiveType(f.type),
    Parameters: {
      'iceberg.field.id': String(f.id),
      'iceberg.field.optional': String(!f.required),
      'iceberg.field.current': 'true',
    },
  }));
}

const isName = (err: unknown, name: string) => (err as { name?: string }).name === name;

export class GlueCatalog implements Catalog {
  readonly name = 'glue';
  private readonly client: GlueClientLike;

  constructor(
    private readonly opts: GlueCatalogOptions,
    readonly io: FileIO,
  ) {
    this.client = opts.client ?? new GlueClient({ region: opts.region ?? 'us-east-1' });
  }

  private db(ns: string[]): string {
    if (ns.length !== 1) throw new InvalidInputError(`glue namespaces have one level, got ${ns.join('.')}`);
    return ns[0] as string;
  }

  private get cat() {
    return this.opts.catalogId ? { CatalogId: this.opts.catalogId } : {};
  }

  private async send<T>(cmd: unknown): Promise<T> {
    return (await this.client.send(cmd)) as T;
  }

  async listNamespaces(parent: string[] = []): Promise<string[][]> {
    if (parent.length > 0) return [];
    const out: string[][] = [];
    let token: string | undefined;
    do {
      const r = await this.send<{ DatabaseList?: { Name?: string }[]; NextToken?: string }>(
        new GetDatabasesCommand({ ...this.cat, ...(token ? { NextToken: token } : {}) }),
      );
      for (const d of r.DatabaseList ?? []) if (d.Name) out.push([d.Name]);
      token = r.NextToken;
    } while (token);
    return out;
  }

  async createNamespace(ns: string[], properties: Record<string, string> = {}): Promise<void> {
    try {
      await this.send(
        new CreateDatabaseCommand({ ...this.cat, DatabaseInput: { Name: this.db(ns), Parameters: properties } }),
      );
    } catch (err) {
      if (isName(err, 'AlreadyExistsException'))
        throw new NamespaceAlreadyExistsError(`namespace already exists: ${ns.join('.')}`);
      throw err;
    }
  }

  async namespaceExists(ns: string[]): Promise<boolean> {
    try {
      await this.send(new GetDatabaseCommand({ ...this.cat, Name: this.db(ns) }));
      return true;
    } catch (err) {
      if (isName(err, 'EntityNotFoundException')) return false;
      throw err;
    }
  }

  async loadNamespaceProperties(ns: string[]): Promise<Record<string, string>> {
    try {
      const r = await this.send<{ Database?: { Parameters?: Record<string, string> } }>(
        new GetDatabaseCommand({ ...this.cat, Name: this.db(ns) }),
      );
      return { ...(r.Database?.Parameters ?? {}) };
    } catch (err) {
      if (isName(err, 'EntityNotFoundException'))
        throw new NoSuchNamespaceError(`namespace does not exist: ${ns.join('.')}`);
      throw err;
    }
  }

  async updateNamespaceProperties(
    ns: string[],
    updates: Record<string, string>,
    removals: string[] = [],
  ): Promise<void> {
    const props = await this.loadNamespaceProperties(ns);
    for (const k of removals) delete props[k];
    await this.send(
      new UpdateDatabaseCommand({
        ...this.cat,
        Name: this.db(ns),
        DatabaseInput: { Name: this.db(ns), Parameters: { ...props, ...updates } },
      }),
    );
  }

  async dropNamespace(ns: string[]): Promise<void> {
    if ((await this.listTables(ns)).length > 0)
      throw new NamespaceNotEmptyError(`namespace is not empty: ${ns.join('.')}`);
    await this.send(new DeleteDatabaseCommand({ ...this.cat, Name: this.db(ns) }));
  }

  async listTables(ns: string[]): Promise<TableIdentifier[]> {
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`namespace does not exist: ${ns.join('.')}`);
    const out: TableIdentifier[] = [];
    let token: string | undefined;
    do {
      const r = await this.send<{ TableList?: Table[]; NextToken?: string }>(
        new GetTablesCommand({ ...this.cat, DatabaseName: this.db(ns), ...(token ? { NextToken: token } : {}) }),
      );
      for (const t of r.TableList ?? [])
        if (t.Name && t.Parameters?.table_type?.toUpperCase() === 'ICEBERG') out.push({ namespace: ns, name: t.Name });
      token = r.NextToken;
    } while (token);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async glueTable(id: TableIdentifier): Promise<Table | undefined> {
    try {
      const r = await this.send<{ Table?: Table }>(
        new GetTableCommand({ ...this.cat, DatabaseName: this.db(id.namespace), Name: id.name }),
      );
      return r.Table;
    } catch (err) {
      if (isName(err, 'EntityNotFoundException')) return undefined;
      throw err;
    }
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.glueTable(id))?.Parameters?.metadata_location !== undefined;
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable & { versionId?: string }> {
    const t = await this.glueTable(id);
    const metadataLocation = t?.Parameters?.metadata_location;
    if (!t || !metadataLocation) throw new NoSuchTableError(`table does not exist: ${identifierToString(id)}`);
    const metadata = parseTableMetadata(await this.io.read(metadataLocation), { source: metadataLocation });
    return { identifier: id, metadataLocation, metadata, ...(t.VersionId ? { versionId: t.VersionId } : {}) };
  }

  private tableInput(id: TableIdentifier, m: TableMetadata, location: string, previous?: string) {
    return {
      Name: id.name,
      TableType: 'EXTERNAL_TABLE',
      Parameters: {
        table_type: 'ICEBERG',
        metadata_location: location,
        ...(previous ? { previous_metadata_location: previous } : {}),
      },
      StorageDescriptor: { Location: m.location, Columns: glueColumns(m) },
    };
  }

  private async writeMetadata(m: TableMetadata, version: number): Promise<string> {
    const path = uuidMetadataPath(m.location, version);
    await this.io.write(path, new TextEncoder().encode(serializeTableMetadata(m)), { ifNoneMatch: '*' });
    return path;
  }

  async createTable(id: TableIdentifier, req: CreateTableRequest): Promise<LoadedTable> {
    if (!(await this.namespaceExists(id.namespace)))
      throw new NoSuchNamespaceError(`namespace does not exist: ${id.namespace.join('.')}`);
    if (await this.glueTable(id)) throw new TableAlreadyExistsError(`table already exists: ${identifierToString(id)}`);
    const location =
      req.location ?? `${this.opts.warehouse.replace(/\/+$/, '')}/${this.db(id.namespace)}.db/${id.name}`;
    const metadata = newTableMetadata(req, location);
    return this.create(id, metadata, await this.writeMetadata(metadata, 0));
  }

  private async create(id: TableIdentifier, metadata: TableMetadata, path: string): Promise<LoadedTable> {
    try {
      await this.send(
        new CreateTableCommand({
          ...this.cat,
          DatabaseName: this.db(id.namespace),
          TableInput: this.tableInput(id, metadata, path),
        }),
      );
    } catch (err) {
      if (isName(err, 'AlreadyExistsException'))
        throw new TableAlreadyExistsError(`table already exists: ${identifierToString(id)}`);
      throw err;
    }
    return { identifier: id, metadataLocation: path, metadata };
  }

  async registerTable(id: TableIdentifier, metadataLocation: string): Promise<LoadedTable> {
    const metadata = parseTableMetadata(await this.io.read(metadataLocation), { source: metadataLocation });
    return this.create(id, metadata, metadataLocation);
  }

  async dropTable(id: TableIdentifier, purge = false): Promise<void> {
    const t = await this.loadTable(id);
    await this.send(new DeleteTableCommand({ ...this.cat, DatabaseName: this.db(id.namespace), Name: id.name }));
    if (!purge) return;
    const doomed: string[] = [];
    for await (const f of this.io.list(`${t.metadata.location}/`)) doomed.push(f.path);
    await Promise.all(doomed.map((p) => this.io.delete(p).catch(() => undefined)));
  }

  /** Glue cannot rename: the entry is re-created under the new name, then the old one removed. */
  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    const t = await this.loadTable(from);
    if (await this.glueTable(to)) throw new TableAlreadyExistsError(`table already exists: ${identifierToString(to)}`);
    await this.create(to, t.metadata, t.metadataLocation);
    await this.send(new DeleteTableCommand({ ...this.cat, DatabaseName: this.db(from.namespace), Name: from.name }));
  }

  async commitTable(req: CommitTableRequest): Promise<LoadedTable> {
    const base = await this.loadTable(req.identifier);
    checkRequirements(base.metadata, req.requirements);
    const next = withMetadataLog(applyUpdates(base.metadata, req.updates), base.metadata, base.metadataLocation);
    const path = await this.writeMetadata(next, metadataVersionOf(base.metadataLocation) + 1);
    try {
      await this.send(
        new UpdateTableCommand({
          ...this.cat,
          DatabaseName: this.db(req.identifier.namespace),
          TableInput: this.tableInput(req.identifier, next, path, base.metadataLocation),
          ...(base.versionId ? { VersionId: base.versionId } : {}),
        }),
      );
    } catch (err) {
      await this.io.delete(path).catch(() => undefined);
      if (isName(err, 'ConcurrentModificationException'))
        throw new CommitConflictError(`${identifierToString(req.identifier)}: glue table version changed concurrently`);
      throw err;
    }
    await deleteExpiredMetadata(this.io, base.metadata, next, base.metadataLocation);
    return { identifier: req.identifier, metadataLocation: path, metadata: next };
  }
}
