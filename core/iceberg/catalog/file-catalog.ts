/**
 * The embedded default catalog: a warehouse folder (local or S3) laid out as Iceberg's Hadoop catalog,
 * `<warehouse>/<ns…>/<table>/metadata/vN.metadata.json` plus `version-hint.text`.
 *
 * The commit point is the atomic creation of `v(N+1).metadata.json` (exclusive create locally,
 * `If-None-Match: *` on S3): two writers racing for the same N cannot both succeed. The version hint
 * is written after and may lag; loading probes past it. Namespaces are folders marked by a
 * `.namespace.json` file (holding their properties), since object stores have no empty folders.
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
import { deleteExpiredMetadata, newTableMetadata, withMetadataLog } from './table-metadata-builder';
import { type CommitTableRequest, identifierToString, type TableIdentifier } from './updates';

const MARKER = '.namespace.json';
/** The version hint is an optimization: a slow read or write of it must never stall a commit. */
const HINT_TIMEOUT_MS = 5_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
const enc = new TextEncoder();
const dec = new TextDecoder();

export class FileCatalog implements Catalog {
  readonly name = 'file';
  private readonly root: string;

  constructor(
    warehouse: string,
    readonly io: FileIO,
  ) {
    this.root = warehouse.replace(/\/+$/, '');
  }

  private nsPath(ns: string[]): string {
    return [this.root, ...ns].join('/');
  }

  /** The folder of a table. */
  tablePath(id: TableIdentifier): string {
    return `${this.nsPath(id.namespace)}/${id.name}`;
  }

  async listNamespaces(parent: string[] = []): Promise<string[][]> {
    const prefix = `${this.nsPath(parent)}/`;
    const out: string[][] = [];
    for await (const f of this.io.list(prefix)) {
      if (!f.path.endsWith(`/${MARKER}`)) continue;
      const rel = f.path
        .slice(prefix.length, -MARKER.length - 1)
        .split('/')
        .filter(Boolean);
      if (rel.length === 1) out.push([...parent, rel[0] as string]);
    }
    return out.sort((a, b) => a.join('.').localeCompare(b.join('.')));
  }

  async createNamespace(ns: string[], properties: Record<string, string> = {}): Promise<void> {
    try {
      await this.io.write(`${this.nsPath(ns)}/${MARKER}`, enc.encode(JSON.stringify(properties)), { ifNoneMatch: '*' });
    } catch (err) {
      if (err instanceof AlreadyExistsError)
        throw new NamespaceAlreadyExistsError(`namespace already exists: ${ns.join('.')}`);
      throw err;
    }
  }

  namespaceExists(ns: string[]): Promise<boolean> {
    return this.io.exists(`${this.nsPath(ns)}/${MARKER}`);
  }

  async loadNamespaceProperties(ns: string[]): Promise<Record<string, string>> {
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`namespace does not exist: ${ns.join('.')}`);
    return JSON.parse(dec.decode(await this.io.read(`${this.nsPath(ns)}/${MARKER}`)));
  }

  async updateNamespaceProperties(
    ns: string[],
    updates: Record<string, string>,
    removals: string[] = [],
  ): Promise<void> {
    const props = await this.loadNamespaceProperties(ns);
    for (const k of removals) delete props[k];
    await this.io.write(`${this.nsPath(ns)}/${MARKER}`, enc.encode(JSON.stringify({ ...props, ...updates })));
  }

  async dropNamespace(ns: string[]): Promise<void> {
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`namespace does not exist: ${ns.join('.')}`);
    if ((await this.listTables(ns)).length > 0 || (await this.listNamespaces(ns)).length > 0)
      throw new NamespaceNotEmptyError(`namespace is not empty: ${ns.join('.')}`);
    await this.io.delete(`${this.nsPath(ns)}/${MARKER}`);
  }

  async listTables(ns: string[]): Promise<TableIdentifier[]> {
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(`namespace does not exist: ${ns.join('.')}`);
    const prefix = `${this.nsPath(ns)}/`;
    const names = new Set<string>();
    for await (const f of this.io.list(prefix)) {
      const m = /^([^/]+)\/metadata\/v\d+\.metadata\.json$/.exec(f.path.slice(prefix.length));
      if (m) names.add(m[1] as string);
    }
    return [...names].sort().map((name) => ({ namespace: ns, name }));
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.currentVersion(id)) > 0;
  }

  /** The highest committed version: the hint, then probing upward (the hint is written after the commit). */
  private async currentVersion(id: TableIdentifier): Promise<number> {
    const meta = `${this.tablePath(id)}/metadata`;
    let v = 0;
    try {
      const hint = await withTimeout(this.io.read(`${meta}/version-hint.text`), HINT_TIMEOUT_MS);
      v = Number.parseInt(dec.decode(hint).trim(), 10) || 0;
    } catch {
      v = 0;
    }
    if (v > 0 && !(await this.io.exists(`${meta}/v${v}.metadata.json`))) v = 0;
    if (v === 0) v = await this.highestListed(meta);
    while (await this.io.exists(`${meta}/v${v + 1}.metadata.json`)) v++;
    return v;
  }

  private async highestListed(meta: string): Promise<number> {
    let max = 0;
    for await (const f of this.io.list(`${meta}/`)) {
      const m = /\/v(\d+)\.metadata\.json$/.exec(f.path);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return max;
  }

  private metadataPath(id: TableIdentifier, v: number): string {
    return `${this.tablePath(id)}/metadata/v${v}.metadata.json`;
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable> {
    const v = await this.currentVersion(id);
    if (v === 0) throw new NoSuchTableError(`table does not exist: ${identifierToString(id)}`);
    const metadataLocation = this.metadataPath(id, v);
    const metadata = parseTableMetadata(await this.io.read(metadataLocation), { source: metadataLocation });
    return { identifier: id, metadataLocation, metadata };
  }

  async createTable(id: TableIdentifier, req: CreateTableRequest): Promise<LoadedTable> {
    if (!(await this.namespaceExists(id.namespace)))
      throw new NoSuchNamespaceError(`namespace does not exist: ${id.namespace.join('.')}`);
    if (await this.tableExists(id))
      throw new TableAlreadyExistsError(`table already exists: ${identifierToString(id)}`);
    const metadata = newTableMetadata(req, req.location ?? this.tablePath(id));
    return this.writeVersion(id, 1, metadata).catch((err) => {
      if (err instanceof CommitConflictError)
        throw new TableAlreadyExistsError(`table already exists: ${identifierToString(id)}`);
      throw err;
    });
  }

  async registerTable(id: TableIdentifier, metadataLocation: string): Promise<LoadedTable> {
    if (await this.tableExists(id))
      throw new TableAlreadyExistsError(`table already exists: ${identifierToString(id)}`);
    const metadata = parseTableMetadata(await this.io.read(metadataLocation));
    return this.writeVersion(id, 1, metadata);
  }

  /** Writes version `v` atomically; a lost race is a CommitConflictError. The hint follows, best-effort. */
  private async writeVersion(id: TableIdentifier, v: number, metadata: TableMetadata): Promise<LoadedTable> {
    const metadataLocation = this.metadataPath(id, v);
    try {
      await this.io.write(metadataLocation, enc.encode(serializeTableMetadata(metadata)), { ifNoneMatch: '*' });
    } catch (err) {
      if (err instanceof AlreadyExistsError)
        throw new CommitConflictError(`${identifierToString(id)}: version ${v} was committed by another writer`);
      throw err;
    }
    // Best-effort and bounded: the hint only speeds up loading, which probes past it anyway.
    await withTimeout(
      this.io.write(`${this.tablePath(id)}/metadata/version-hint.text`, enc.encode(String(v))),
      HINT_TIMEOUT_MS,
    ).catch(() => undefined);
    return { identifier: id, metadataLocation, metadata };
  }

  async dropTable(id: TableIdentifier, purge = false): Promise<void> {
    const loaded = await this.loadTable(id);
    const prefix = purge ? `${loaded.metadata.location}/` : `${this.tablePath(id)}/metadata/`;
    const doomed: string[] = [];
    for await (const f of this.io.list(prefix)) doomed.push(f.path);
    if (!purge) doomed.push(...(await this.listMetadataFiles(id)));
    for (const p of new Set(doomed)) await this.io.delete(p).catch(() => undefined);
  }

  private async listMetadataFiles(id: TableIdentifier): Promise<string[]> {
    const out: string[] = [];
    for await (const f of this.io.list(`${this.tablePath(id)}/metadata/`))
      if (/\/(v\d+\.metadata\.json|version-hint\.text)$/.test(f.path)) out.push(f.path);
    return out;
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    const loaded = await this.loadTable(from);
    if (!(await this.namespaceExists(to.namespace)))
      throw new NoSuchNamespaceError(`namespace does not exist: ${to.namespace.join('.')}`);
    if (await this.tableExists(to))
      throw new TableAlreadyExistsError(`table already exists: ${identifierToString(to)}`);
    // The data stays where the metadata's `location` says; only the catalog entry (metadata files) moves.
    await this.writeVersion(to, 1, loaded.metadata);
    for (const p of await this.listMetadataFiles(from)) await this.io.delete(p).catch(() => undefined);
  }

  async commitTable(req: CommitTableRequest): Promise<LoadedTable> {
    const v = await this.currentVersion(req.identifier);
    const creating = req.requirements.some((r) => r.type === 'assert-create');
    if (v === 0 && !creating) throw new NoSuchTableError(`table does not exist: ${identifierToString(req.identifier)}`);
    const base = v === 0 ? undefined : parseTableMetadata(await this.io.read(this.metadataPath(req.identifier, v)));
    checkRequirements(base, req.requirements);
    if (!base) throw new CommitConflictError('create through commitTable needs a base table; use createTable');
    const previous = this.metadataPath(req.identifier, v);
    const next = withMetadataLog(applyUpdates(base, req.updates), base, previous);
    const out = await this.writeVersion(req.identifier, v + 1, next);
    await deleteExpiredMetadata(this.io, base, next, previous);
    return out;
  }
}
