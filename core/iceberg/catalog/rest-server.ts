/**
 * An Iceberg REST catalog server (rest-catalog-open-api.yaml) over any Catalog, on node:http — what
 * `icefloe catalog serve` runs. Implements config, namespaces, tables (create, register, load, commit,
 * drop, rename), OAuth2 client-credentials tokens (when credentials are configured), and replays the
 * response of a repeated `Idempotency-Key`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError, NotFoundError } from '../../errors';
import type { JsonValue } from '../spec/json';
import { FieldReader } from '../spec/json-fields';
import { metadataToJson } from '../spec/metadata-serialize';
import { parseSchema } from '../spec/type-json';
import type { Catalog, CreateTableRequest } from './catalog';
import {
  CommitConflictError,
  NamespaceAlreadyExistsError,
  NamespaceNotEmptyError,
  NoSuchNamespaceError,
  NoSuchTableError,
  TableAlreadyExistsError,
} from './errors';
import {
  decodeNamespace,
  loadResultToJson,
  parseJson,
  requirementFromJson,
  stringifyJson,
  updateFromJson,
} from './rest-json';
import type { TableIdentifier } from './updates';

export interface RestServerOptions {
  port?: number;
  host?: string;
  /** When set, requests need `Authorization: Bearer <token>` from /v1/oauth/tokens with these credentials. */
  credentials?: { clientId: string; clientSecret: string };
  /** Storage settings handed to clients in LoadTableResult.config (e.g. `s3.endpoint`). */
  config?: Record<string, string>;
}

interface Reply {
  status: number;
  body?: unknown;
}

type Obj = Record<string, unknown>;

/** Starts the server; resolves when listening. `url` is `http://host:port`. */
export async function startRestServer(
  catalog: Catalog,
  opts: RestServerOptions = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const tokens = new Set<string>();
  const idempotent = new Map<string, Reply>();
  const server = createServer((req, res) => {
    void handle(catalog, opts, tokens, idempotent, req, res);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function handle(
  catalog: Catalog,
  opts: RestServerOptions,
  tokens: Set<string>,
  cache: Map<string, Reply>,
  req: IncomingMessage,
  res: ServerResponse,
) {
  let reply: Reply;
  const key = req.headers['idempotency-key'];
  const cacheKey =
    typeof key === 'string' && req.method !== 'GET' && req.method !== 'HEAD'
      ? `${req.method} ${req.url} ${key}`
      : undefined;
  try {
    const body = await readBody(req);
    const cached = cacheKey ? cache.get(cacheKey) : undefined;
    if (cached) reply = cached;
    else if (req.url?.startsWith('/v1/oauth/tokens')) reply = issueToken(opts, tokens, body);
    else {
      if (opts.credentials && !tokens.has(String(req.headers.authorization ?? '').replace(/^Bearer /, '')))
        reply = errorReply(401, 'NotAuthorizedException', 'not authorized');
      else reply = await route(catalog, opts, req.method ?? 'GET', new URL(req.url ?? '/', 'http://x'), body);
      if (cacheKey && reply.status < 500) cache.set(cacheKey, reply);
    }
  } catch (err) {
    reply = mapError(err);
  }
  const text = reply.body === undefined ? '' : stringifyJson(reply.body);
  res.writeHead(reply.status, text ? { 'content-type': 'application/json' } : {});
  res.end(req.method === 'HEAD' ? undefined : text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function issueToken(opts: RestServerOptions, tokens: Set<string>, body: string): Reply {
  const form = new URLSearchParams(body);
  const c = opts.credentials;
  if (c && (form.get('client_id') !== c.clientId || form.get('client_secret') !== c.clientSecret))
    return { status: 401, body: { error: 'invalid_client', error_description: 'bad client credentials' } };
  const token = randomBytes(16).toString('hex');
  tokens.add(token);
  return {
    status: 200,
    body: {
      access_token: token,
      token_type: 'bearer',
      expires_in: 3600,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    },
  };
}

function errorReply(code: number, type: string, message: string): Reply {
  return { status: code, body: { error: { message, type, code } } };
}

function mapError(err: unknown): Reply {
  const msg = (err as Error).message ?? String(err);
  if (err instanceof NoSuchTableError) return errorReply(404, 'NoSuchTableException', msg);
  if (err instanceof NoSuchNamespaceError) return errorReply(404, 'NoSuchNamespaceException', msg);
  if (err instanceof TableAlreadyExistsError || err instanceof NamespaceAlreadyExistsError)
    return errorReply(409, 'AlreadyExistsException', msg);
  if (err instanceof NamespaceNotEmptyError) return errorReply(409, 'NamespaceNotEmptyException', msg);
  if (err instanceof CommitConflictError) return errorReply(409, 'CommitFailedException', msg);
  if (err instanceof NotFoundError) return errorReply(404, 'NotFoundException', msg);
  if (
    err instanceof InvalidInputError ||
    (err as Error).name === 'InvalidIcebergError' ||
    (err as Error).name === 'JsonSyntaxError'
  )
    return errorReply(400, 'BadRequestException', msg);
  return errorReply(500, 'InternalServerError', msg);
}

const json = (v: string): Obj => (v ? (parseJson(v) as Obj) : {});

async function route(
  catalog: Catalog,
  opts: RestServerOptions,
  method: string,
  url: URL,
  body: string,
): Promise<Reply> {
  // Optional `{prefix}`: /v1/<prefix>/namespaces… is served like /v1/namespaces….
  const parts = url.pathname.split('/').filter(Boolean).slice(1);
  if (parts[0] === 'config') return { status: 200, body: { defaults: {}, overrides: {} } };
  const at = parts.findIndex((p) => p === 'namespaces' || p === 'tables');
  const p = at < 0 ? [] : parts.slice(at);
  if (p[0] === 'tables' && p[1] === 'rename' && method === 'POST') {
    const b = json(body);
    await catalog.renameTable(ident(b.source), ident(b.destination));
    return { status: 204 };
  }
  if (p[0] !== 'namespaces') return errorReply(404, 'NotFoundException', `no route for ${method} ${url.pathname}`);
  if (p.length === 1) return namespaces(catalog, method, url, body);
  const ns = decodeNamespace(p[1] as string);
  if (p.length === 2) return namespace(catalog, method, ns);
  if (p[2] === 'properties' && method === 'POST') {
    const b = json(body);
    const updates = (b.updates ?? {}) as Record<string, string>;
    const removals = (b.removals ?? []) as string[];
    const before = await catalog.loadNamespaceProperties(ns);
    await catalog.updateNamespaceProperties(ns, updates, removals);
    return {
      status: 200,
      body: {
        updated: Object.keys(updates),
        removed: removals.filter((k) => k in before),
        missing: removals.filter((k) => !(k in before)),
      },
    };
  }
  if (p[2] === 'register' && method === 'POST') {
    const b = json(body);
    const t = await catalog.registerTable({ namespace: ns, name: String(b.name) }, String(b['metadata-location']));
    return { status: 200, body: loadResultToJson(t.metadataLocation, t.metadata, opts.config) };
  }
  if (p[2] !== 'tables') return errorReply(404, 'NotFoundException', `no route for ${method} ${url.pathname}`);
  if (p.length === 3) return tables(catalog, opts, method, ns, body);
  return table(catalog, opts, method, url, { namespace: ns, name: decodeURIComponent(p[3] as string) }, body);
}

function ident(v: unknown): TableIdentifier {
  const o = v as Obj;
  return { namespace: o.namespace as string[], name: String(o.name) };
}

async function namespaces(catalog: Catalog, method: string, url: URL, body: string): Promise<Reply> {
  if (method === 'GET') {
    const parent = url.searchParams.get('parent');
    return { status: 200, body: { namespaces: await catalog.listNamespaces(parent ? decodeNamespace(parent) : []) } };
  }
  const b = json(body);
  const ns = b.namespace as string[];
  await catalog.createNamespace(ns, (b.properties ?? {}) as Record<string, string>);
  return { status: 200, body: { namespace: ns, properties: await catalog.loadNamespaceProperties(ns) } };
}

async function namespace(catalog: Catalog, method: string, ns: string[]): Promise<Reply> {
  if (method === 'HEAD') return { status: (await catalog.namespaceExists(ns)) ? 204 : 404 };
  if (method === 'DELETE') {
    await catalog.dropNamespace(ns);
    return { status: 204 };
  }
  return { status: 200, body: { namespace: ns, properties: await catalog.loadNamespaceProperties(ns) } };
}

async function tables(
  catalog: Catalog,
  opts: RestServerOptions,
  method: string,
  ns: string[],
  body: string,
): Promise<Reply> {
  if (method === 'GET') return { status: 200, body: { identifiers: await catalog.listTables(ns) } };
  const b = json(body);
  const req: CreateTableRequest = {
    schema: parseSchema(new FieldReader('create table request'), b.schema as JsonValue),
  };
  if (b['partition-spec'])
    req.partitionSpec = { 'spec-id': 0, ...(b['partition-spec'] as object) } as CreateTableRequest['partitionSpec'] &
      object;
  if (b['write-order']) req.sortOrder = b['write-order'] as CreateTableRequest['sortOrder'] & object;
  if (b.properties) {
    const { 'format-version': fv, ...rest } = b.properties as Record<string, string>;
    req.properties = rest;
    if (fv) req.formatVersion = Number(fv) as 1 | 2 | 3;
  }
  if (typeof b.location === 'string') req.location = b.location;
  const t = await catalog.createTable({ namespace: ns, name: String(b.name) }, req);
  return { status: 200, body: loadResultToJson(t.metadataLocation, t.metadata, opts.config) };
}

async function table(
  catalog: Catalog,
  opts: RestServerOptions,
  method: string,
  url: URL,
  id: TableIdentifier,
  body: string,
): Promise<Reply> {
  if (method === 'HEAD') return { status: (await catalog.tableExists(id)) ? 204 : 404 };
  if (method === 'DELETE') {
    await catalog.dropTable(id, url.searchParams.get('purgeRequested') === 'true');
    return { status: 204 };
  }
  if (method === 'GET') {
    const t = await catalog.loadTable(id);
    return { status: 200, body: loadResultToJson(t.metadataLocation, t.metadata, opts.config) };
  }
  const b = json(body);
  const t = await catalog.commitTable({
    identifier: id,
    requirements: ((b.requirements ?? []) as unknown[]).map(requirementFromJson),
    updates: ((b.updates ?? []) as unknown[]).map(updateFromJson),
  });
  return { status: 200, body: { 'metadata-location': t.metadataLocation, metadata: metadataToJson(t.metadata) } };
}
