/**
 * `icefloe table describe | history | scan <table>` (DESIGN.md "Interfaces that stay stable").
 * Scan output is buffered and flushed in chunks; if reading fails after a flush, the error line
 * says the output is incomplete, so partial output is never mistaken for a complete result.
 */
import { batchRows, csvCell } from '../../core/arrow/read/render';
import { InvalidInputError, NotFoundError } from '../../core/errors';
import { catalogFromConfig } from '../../core/iceberg/catalog/from-config';
import type { FileIOConfig } from '../../core/iceberg/io';
import { fileIOFor } from '../../core/iceberg/io';
import { tableFolderCatalog } from '../../core/iceberg/maintenance';
import { stringifyJson } from '../../core/iceberg/spec/json';
import { typeToString } from '../../core/iceberg/spec/types';
import { loadedTable, openTable, type ScanOptions, Table } from '../../core/iceberg/table';
import { resolveAddress } from '../../core/manifest/address';
import { loadManifests } from '../../core/manifest/load';
import { catalogConfigOf } from '../../core/movement/bindings/lakehouse';
import { parseCommandArgs } from '../args';
import type { CliIO, Command } from '../command';
import { MAINTAIN_HELP, MAINTAIN_OPTIONS, runMaintain } from '../table-maintain';

const HELP = `usage: icefloe table <describe|history|scan|maintain> <table> [options]

<table> is a metadata file (.metadata.json, .gz.metadata.json), a table folder, an s3:// URI of either,
or a lakehouse table dataos://<depot>:<collection>/<dataset> resolved through the manifests (--manifests).

commands:
  describe   schema, partition spec, properties, current snapshot
  history    snapshots with ids, timestamps, operations, summaries
  scan       rows as JSON lines (default) or CSV
  maintain   compact data files, rewrite manifests, expire snapshots, remove orphan files

options:
  --snapshot-id ID       scan this snapshot
  --as-of ISO-TIME       scan the snapshot current at this time
  --ref NAME             scan the snapshot of a branch or tag
  --columns a,b          top-level columns to output (default: all); also _file, _pos, _row_id,
                         _last_updated_sequence_number
  --where EXPR           filter, e.g. "id > 10 and name is not null"
  --limit N              at most N rows
  --format jsonl|csv     scan output format (default jsonl)
  --allow-moved-paths    read a table copied away from the location written in its metadata
  --json                 describe/history as JSON
  --endpoint URL         S3-compatible endpoint (also AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)
  --region REGION        S3 region (default: AWS_REGION)
  --manifests DIR        where dataos:// addresses are resolved (default: the current folder)

${MAINTAIN_HELP}

examples:
  icefloe table maintain ./warehouse/sales/orders --expire --older-than 7d --remove-orphans
  icefloe table describe s3://bucket/warehouse/db/events
  icefloe table scan ./t --where "ts >= '2024-01-01T00:00:00'" --columns id,ts --limit 10`;

const OPTIONS = {
  'snapshot-id': { type: 'string' },
  'as-of': { type: 'string' },
  ref: { type: 'string' },
  columns: { type: 'string' },
  where: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string' },
  'allow-moved-paths': { type: 'boolean' },
  json: { type: 'boolean' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  manifests: { type: 'string' },
  ...MAINTAIN_OPTIONS,
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

/** JSON text; 64-bit ids become strings (DESIGN.md: ids beyond 2^53 never travel as JSON numbers). */
const json = (v: unknown) => stringifyJson(bigintsAsStrings(v));

function bigintsAsStrings(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(bigintsAsStrings);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bigintsAsStrings(x)]));
  }
  return v;
}

function ioConfig(values: Values): FileIOConfig {
  const endpoint = values.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const region = values.region;
  return { s3: { ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) } };
}

/** Scan options from the command line; bad values are InvalidInputError (exit 2). */
export function scanOptionsOf(values: Values): ScanOptions {
  const o: ScanOptions = {};
  const id = values['snapshot-id'];
  if (id !== undefined) {
    if (!/^-?\d+$/.test(id)) throw new InvalidInputError(`--snapshot-id must be an integer, got '${id}'`);
    o.snapshotId = BigInt(id);
  }
  const asOf = values['as-of'];
  if (asOf !== undefined) {
    const t = Date.parse(asOf);
    if (Number.isNaN(t)) throw new InvalidInputError(`--as-of must be an ISO-8601 time, got '${asOf}'`);
    o.asOf = t;
  }
  if (values.ref !== undefined) o.ref = values.ref;
  if (values.columns !== undefined)
    o.columns = values.columns
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
  if (values.where !== undefined) o.where = values.where;
  if (values.limit !== undefined) {
    if (!/^\d+$/.test(values.limit))
      throw new InvalidInputError(`--limit must be a non-negative integer, got '${values.limit}'`);
    o.limit = Number(values.limit);
  }
  return o;
}

function describeText(table: Table): string {
  const d = table.describe();
  const lines = [
    `table: ${d.location}`,
    `metadata: ${d.metadataLocation}`,
    `format-version: ${d.formatVersion}`,
    ...(d.tableUuid ? [`uuid: ${d.tableUuid}`] : []),
    `schema (id ${d.schema['schema-id']}):`,
    ...d.schema.fields.map((f) => `  ${f.id}: ${f.name}: ${typeToString(f.type)}${f.required ? ' (required)' : ''}`),
    d.partitionSpec.fields.length === 0
      ? `partition spec (id ${d.partitionSpec['spec-id']}): unpartitioned`
      : `partition spec (id ${d.partitionSpec['spec-id']}):`,
    ...d.partitionSpec.fields.map((f) => {
      const source = d.schema.fields.find((s) => s.id === f['source-id'])?.name ?? `#${f['source-id']}`;
      return `  ${f['field-id']}: ${f.name} = ${f.transform}(${source})`;
    }),
    'properties:',
    ...Object.entries(d.properties).map(([k, v]) => `  ${k} = ${v}`),
    d.currentSnapshot
      ? `current snapshot: ${d.currentSnapshot['snapshot-id']} at ${new Date(Number(d.currentSnapshot['timestamp-ms'])).toISOString()} (${d.currentSnapshot.summary.operation})`
      : 'current snapshot: none',
  ];
  return `${lines.join('\n')}\n`;
}

function historyText(table: Table): string {
  const rows = table.history().map((h) => {
    const when = new Date(Number(h.timestampMs)).toISOString();
    const added = h.summary['added-records'] ?? '0';
    const total = h.summary['total-records'] ?? '?';
    const current = h.isCurrentAncestor ? '*' : ' ';
    return `${current} ${h.snapshotId}  ${when}  ${h.operation.padEnd(9)} parent=${h.parentId ?? '-'}  added-records=${added} total-records=${total}`;
  });
  return `${rows.join('\n')}${rows.length ? '\n' : ''}`;
}

/** The reader of our output went away (`icefloe table scan … | head`): stop quietly. */
class OutputClosed extends Error {
  override readonly name = 'OutputClosed';
}

const closedOutputs = new WeakSet<NodeJS.WritableStream>();

/** Marks stdout closed on EPIPE (the listener also keeps the error from crashing the process). */
function watchOutput(io: CliIO): void {
  io.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') closedOutputs.add(io.stdout);
  });
}

async function write(io: CliIO, text: string): Promise<void> {
  if (closedOutputs.has(io.stdout)) throw new OutputClosed('output closed');
  if (io.stdout.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      io.stdout.removeListener('drain', done);
      io.stdout.removeListener('error', done);
      resolve();
    };
    io.stdout.once('drain', done);
    io.stdout.once('error', done);
  });
  if (closedOutputs.has(io.stdout)) throw new OutputClosed('output closed');
}

/** Scan output is written in chunks of about this many characters (tests lower it). */
export const scanOutput = { flushAt: 1 << 20 };

async function scan(table: Table, values: Values, io: CliIO): Promise<number> {
  const format = values.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv')
    throw new InvalidInputError(`--format must be jsonl or csv, got '${format}'`);
  const result = await table.scan(scanOptionsOf(values));
  watchOutput(io);
  let buffer = format === 'csv' ? `${result.fields.map((f) => csvCell(f.name)).join(',')}\n` : '';
  let flushedRows = 0;
  let rows = 0;
  try {
    for await (const batch of result.batches()) {
      for (const row of batchRows(batch, result.fields)) {
        buffer += format === 'csv' ? `${result.fields.map((f) => csvCell(row[f.name])).join(',')}\n` : `${json(row)}\n`;
        rows++;
      }
      if (buffer.length >= scanOutput.flushAt) {
        await write(io, buffer);
        buffer = '';
        flushedRows = rows;
      }
    }
  } catch (err) {
    if (err instanceof OutputClosed) return 0;
    if (flushedRows > 0 && err instanceof Error) {
      err.message = `${err.message} (output incomplete: stopped after ${flushedRows} rows)`;
    }
    throw err;
  }
  try {
    if (buffer) await write(io, buffer);
  } catch (err) {
    if (!(err instanceof OutputClosed)) throw err;
  }
  return 0;
}

/** `icefloe table`: describe, history and scan Iceberg tables. */
export const command: Command = {
  summary: 'describe, show the history of, scan or maintain an Iceberg table',
  help: HELP,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    const [sub, location, ...extra] = positionals;
    if (sub === undefined || !['describe', 'history', 'scan', 'maintain'].includes(sub)) {
      throw new InvalidInputError(`table: expected describe, history, scan or maintain, got '${sub ?? ''}'`);
    }
    if (location === undefined) throw new InvalidInputError(`table ${sub}: missing <table>`);
    if (extra.length > 0) throw new InvalidInputError(`table ${sub}: unexpected argument '${extra[0]}'`);
    const moved = values['allow-moved-paths'] === true;
    if (sub === 'maintain') {
      const { catalog, id } = location.startsWith('dataos://')
        ? await addressCatalog(location, values.manifests ?? '.', 'rw')
        : tableFolderCatalog(location, fileIOFor(location, ioConfig(values)));
      await write(io, await runMaintain(catalog, id, values, values.json === true));
      return 0;
    }
    const table = location.startsWith('dataos://')
      ? await openAddress(location, values.manifests ?? '.', moved)
      : await openTable(location, { allowMovedPaths: moved, ioConfig: ioConfig(values) });
    try {
      return await runSub(sub, table, values, io);
    } catch (err) {
      // A file written under another root usually means a copied table: say how to read it.
      if (err instanceof NotFoundError && !moved && !err.message.includes(table.loaded.root)) {
        err.message = `${err.message} (the table was written at ${table.metadata.location}; to read a copy, use --allow-moved-paths)`;
      }
      throw err;
    }
  },
};

/**
 * Opens `dataos://<depot>:<collection>/<dataset>`: the manifests name a lakehouse depot, whose
 * storage and metastore give the catalog (file, REST, Glue) that loads the table.
 */
async function openAddress(address: string, manifestsDir: string, moved: boolean): Promise<Table> {
  const { catalog, id } = await addressCatalog(address, manifestsDir, 'r');
  const t = await catalog.loadTable(id);
  return new Table(loadedTable(t.metadataLocation, t.metadata, catalog.io, moved));
}

/** The lakehouse catalog and table identifier that `dataos://<depot>:<collection>/<dataset>` names. */
async function addressCatalog(address: string, manifestsDir: string, access: 'r' | 'rw') {
  const { set, problems } = await loadManifests([manifestsDir]);
  const problem = problems[0];
  if (problem) throw new InvalidInputError(`${problem.file}:${problem.line}:${problem.col}: ${problem.message}`);
  const r = resolveAddress(set, address);
  if (!r.ok) throw new InvalidInputError(r.problem.message);
  if (!r.collection || !r.dataset) {
    throw new InvalidInputError(`${address} names no table: use dataos://<depot>:<collection>/<dataset>`);
  }
  const endpoint = { address, depot: r.depot.name, collection: r.collection, dataset: r.dataset, options: {} };
  const catalog = catalogFromConfig(catalogConfigOf({ endpoint, depot: r.depot, manifests: set }, access));
  return { catalog, id: { namespace: [r.collection], name: r.dataset } };
}

async function runSub(sub: string, table: Table, values: Values, io: CliIO): Promise<number> {
  if (sub === 'describe') {
    await write(io, values.json ? `${json(table.describe())}\n` : describeText(table));
    return 0;
  }
  if (sub === 'history') {
    await write(io, values.json ? `${json(table.history())}\n` : historyText(table));
    return 0;
  }
  return scan(table, values, io);
}
