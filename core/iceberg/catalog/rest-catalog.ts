/**
 * An Iceberg REST catalog client (rest-catalog-open-api.yaml): `GET /v1/config` (warehouse, prefix and
 * overrides), namespaces, tables, commits with requirements and an `Idempotency-Key` (reused when a
 * transport error makes the client resend), and errors mapped to icefloe errors (404 → NoSuch…,
 * 409 → AlreadyExists/CommitConflict, 5xx on commit → CommitStateUnknownError).
 */
import { randomUUID } from 'node:crypto';
import { IcefloeError, InvalidInputError, TransientError } from '../../errors';
import type { FileIO } from '../io/file-io';
import { schemaToJson } from '../spec/type-json';
import type { Catalog, CreateTableRequest, LoadedTable } from './catalog';
import {
  CommitConflictError,
  CommitStateUnknownError,
  NamespaceAlreadyExistsError,
  NamespaceNotEmptyError,
  NoSuchNamespaceError,
  NoSuchTableError,
  TableAlreadyExistsError,
} from './errors';
import { Authenticator as Auth, type Authenticator, type RestAuth } from './rest-auth';
import { encodeNamespace, loadResultFromText, parseJson, stringifyJson, updateToJson } from './rest-json';
import type { CommitTableRequest, TableIdentifier } from './updates';

export interface RestCatalogOptions {
  uri: string;
  warehouse?: string;
  auth?: RestAuth;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

type Obj = Record<string, unknown>;

export class RestCatalog implements Catalog {
  readonly name: string;
  private readonly base: string;
  private readonly auth: Authenticator;
  private prefix?: Promise<string>;

  constructor(
    private readonly opts: RestCatalogOptions,
    readonly io: FileIO,
  ) {
    this.base = opts.uri.replace(/\/+$/, '');
    this.name = `rest:${this.base}`;
    this.auth = new Auth(opts.auth ?? { type: 'none' }, this.base);
  }

  /** The `prefix` from `/v1/config` (overrides win over defaults), resolved once. */
  private root(): Promise<string> {
    this.prefix ??= (async () => {
      const q = this.opts.warehouse ? `?warehouse=${encodeURIComponent(this.opts.warehouse)}` : '';
      const cfg = (await this.call('GET', `${this.base}/v1/config${q}`)) as Obj;
      const merged = { ...((cfg.defaults ?? {}) as Obj), ...((cfg.overrides ?? {}) as Obj) };
      const prefix = typeof merged.prefix === 'string' && merged.prefix ? `/${merged.prefix}` : '';
      return `${this.base}/v1${prefix}`;
    })();
    return this.prefix;
  }

  private async call(
    method: string,
    url: string,
    body?: unknown,
    kind: 'commit' | 'other' = 'other',
  ): Promise<unknown> {
    const text = body === undefined ? undefined : stringifyJson(body);
    const idem = method === 'GET' || method === 'HEAD' ? undefined : randomUUID();
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json', ...(this.opts.headers ?? {}) };
      if (text !== undefined) headers['content-type'] = 'application/json';
      if (idem) headers['idempotency-key'] = idem;
      const signed = await this.auth.apply({
        method,
        url: new URL(url),
        headers,
        ...(text !== undefined ? { body: text } : {}),
      });
      let res: Response;
      try {
        res = await fetch(url, { method, headers: signed, ...(text !== undefined ? { body: text } : {}) });
      } catch (err) {
        // The same Idempotency-Key lets the server recognise a resend of a request it already applied.
        if (attempt < 2) continue;
        if (kind === 'commit')
          throw new CommitStateUnknownError(`commit to ${url} has unknown state: ${(err as Error).message}`);
        throw new TransientError(`rest catalog ${url} unreachable: ${(err as Error).message}`);
      }
      if (res.status === 401 && attempt === 0) {
        this.auth.reset();
        continue;
      }
      const out = await res.text();
      if (res.ok) return out ? parseJson(out) : undefined;
      if (method === 'HEAD') return res.status;
      throw mapError(res.status, out, url, kind);
    }
  }

  private async path(...parts: string[]): Promise<string> {
    return [await this.root(), ...parts].join('/');
  }

  private async tableUrl(id: TableIdentifier): Promise<string> {
    return this.path('namespaces', encodeNamespace(id.namespace), 'tables', encodeURIComponent(id.name));
  }

  async listNamespaces(parent: string[] = []): Promise<string[][]> {
    const q = parent.length ? `?parent=${encodeNamespace(parent)}` : '';
    const r = (await this.call('GET', `${await this.path('namespaces')}${q}`)) as Obj;
    return r.namespaces as string[][];
  }

  async createNamespace(namespace: string[], properties: Record<string, string> = {}): Promise<void> {
    await this.call('POST', await this.path('namespaces'), { namespace, properties });
  }

  async namespaceExists(ns: string[]): Promise<boolean> {
    const r = await this.call('HEAD', await this.path('namespaces', encodeNamespace(ns)));
    return r === undefined;
  }

  async loadNamespaceProperties(ns: string[]): Promise<Record<string, string>> {
    const r = (await this.call('GET', await this.path('namespaces', encodeNamespace(ns)))) as Obj;
    return (r.properties ?? {}) as Record<string, string>;
  }

  async updateNamespaceProperties(
    ns: string[],
    updates: Record<string, string>,
    removals: string[] = [],
  ): Promise<void> {
    await this.call('POST', await this.path('namespaces', encodeNamespace(ns), 'properties'), { updates, removals });
  }

  async dropNamespace(ns: string[]): Promise<void> {
    await this.call('DELETE', await this.path('namespaces', encodeNamespace(ns)));
  }

  async listTables(ns: string[]): Promise<TableIdentifier[]> {
    const r = (await this.call('GET', await this.path('namespaces', encodeNamespace(ns), 'tables'))) as Obj;
    return (r.identifiers as Obj[]).map((i) => ({ namespace: i.namespace as string[], name: String(i.name) }));
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.call('HEAD', await this.tableUrl(id))) === undefined;
  }

  private loaded(id: TableIdentifier, r: unknown): LoadedTable {
    const { metadataLocation, metadata, config } = loadResultFromText(stringifyJson(r));
    return { identifier: id, metadataLocation, metadata, config };
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable> {
    return this.loaded(id, await this.call('GET', await this.tableUrl(id)));
  }

  async createTable(id: TableIdentifier, req: CreateTableRequest): Promise<LoadedTable> {
    const body: Obj = { name: id.name, schema: schemaToJson(req.schema), 'stage-create': false };
    if (req.partitionSpec) body['partition-spec'] = req.partitionSpec;
    if (req.sortOrder) body['write-order'] = req.sortOrder;
    if (req.location) body.location = req.location;
    body.properties = {
      ...(req.properties ?? {}),
      ...(req.formatVersion ? { 'format-version': String(req.formatVersion) } : {}),
    };
    return this.loaded(
      id,
      await this.call('POST', await this.path('namespaces', encodeNamespace(id.namespace), 'tables'), body),
    );
  }

  async registerTable(id: TableIdentifier, metadataLocation: string): Promise<LoadedTable> {
    const url = await this.path('namespaces', encodeNamespace(id.namespace), 'register');
    return this.loaded(id, await this.call('POST', url, { name: id.name, 'metadata-location': metadataLocation }));
  }

  async dropTable(id: TableIdentifier, purge = false): Promise<void> {
    await this.call('DELETE', `${await this.tableUrl(id)}${purge ? '?purgeRequested=true' : ''}`);
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    await this.call('POST', await this.path('tables', 'rename'), { source: from, destination: to });
  }

  async commitTable(req: CommitTableRequest): Promise<LoadedTable> {
    const body = { identifier: req.identifier, requirements: req.requirements, updates: req.updates.map(updateToJson) };
    return this.loaded(req.identifier, await this.call('POST', await this.tableUrl(req.identifier), body, 'commit'));
  }
}

function mapError(status: number, text: string, url: string, kind: 'commit' | 'other'): Error {
  let type = '';
  let message = text.slice(0, 200);
  try {
    const e = (JSON.parse(text) as { error?: { type?: string; message?: string } }).error;
    type = e?.type ?? '';
    message = e?.message ?? message;
  } catch {
    // not JSON: keep the raw text
  }
  const msg = `rest catalog: ${message}`;
  if (status === 404 && /Namespace/.test(type)) return new NoSuchNamespaceError(msg);
  if (status === 404) return new NoSuchTableError(msg);
  if (status === 409 && /NotEmpty/.test(type)) return new NamespaceNotEmptyError(msg);
  if (status === 409 && kind === 'commit') return new CommitConflictError(msg);
  if (status === 409 && /namespace/i.test(message)) return new NamespaceAlreadyExistsError(msg);
  if (status === 409) return new TableAlreadyExistsError(msg);
  if (status === 400 || status === 422) return new InvalidInputError(msg);
  if (kind === 'commit' && status >= 500) return new CommitStateUnknownError(`${msg} (http ${status}, ${url})`);
  if (status === 429 || status === 503) return new TransientError(msg);
  return new IcefloeError(`${msg} (http ${status})`);
}
