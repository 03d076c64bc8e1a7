/**
 * A minimal independent read path for write tests: manifest list → manifests → Parquet (parquet-wasm),
 * applying equality deletes by sequence number (spec "Scan Planning"). Rows come back as plain objects
 * with bigint for longs.
 */
import * as arrow from 'apache-arrow';
import type { Catalog } from '../../../../core/iceberg/catalog/catalog';
import type { TableIdentifier } from '../../../../core/iceberg/catalog/updates';
import { DataFileContent, ManifestEntryStatus } from '../../../../core/iceberg/spec/manifest';
import { findFieldById } from '../../../../core/iceberg/spec/schema';
import { readManifest, readManifestList } from '../../../../core/iceberg/transaction/manifest-io';

const pw = require('parquet-wasm') as typeof import('parquet-wasm');

export type Row = Record<string, unknown>;

export async function readRows(catalog: Catalog, id: TableIdentifier, snapshotId?: bigint): Promise<Row[]> {
  const { metadata: m } = await catalog.loadTable(id);
  const sid = snapshotId ?? m['current-snapshot-id'];
  const snap = m.snapshots.find((s) => s['snapshot-id'] === sid);
  if (!snap?.['manifest-list']) return [];
  const schema = m.schemas.find((s) => s['schema-id'] === m['current-schema-id']) ?? m.schemas[0]!;
  const data: { path: string; seq: bigint }[] = [];
  const deletes: { path: string; seq: bigint; ids: number[] }[] = [];
  for (const mf of await readManifestList(catalog.io, snap['manifest-list'])) {
    const spec = m['partition-specs'].find((s) => s['spec-id'] === mf.partitionSpecId)!;
    for (const e of await readManifest(catalog.io, mf, schema, spec)) {
      if (e.status === ManifestEntryStatus.Deleted) continue;
      const seq = e.sequenceNumber ?? 0n;
      if (e.dataFile.content === DataFileContent.Data) data.push({ path: e.dataFile.filePath, seq });
      else deletes.push({ path: e.dataFile.filePath, seq, ids: e.dataFile.equalityIds ?? [] });
    }
  }
  const deleted: { seq: bigint; names: string[]; keys: Set<string> }[] = [];
  for (const d of deletes) {
    const names = d.ids.map((i) => findFieldById(schema, i)?.name as string);
    const rows = await readFile(catalog, d.path);
    deleted.push({ seq: d.seq, names, keys: new Set(rows.map((r) => keyOf(r, names))) });
  }
  const out: Row[] = [];
  for (const f of data) {
    for (const r of await readFile(catalog, f.path)) {
      if (deleted.some((d) => d.seq > f.seq && d.keys.has(keyOf(r, d.names)))) continue;
      out.push(r);
    }
  }
  return out;
}

function keyOf(r: Row, names: string[]): string {
  return names.map((n) => String(r[n])).join('\u0000');
}

export async function readFile(catalog: Catalog, path: string): Promise<Row[]> {
  const bytes = await catalog.io.read(path);
  const t = arrow.tableFromIPC(pw.readParquet(bytes).intoIPCStream());
  return t.toArray().map((r) => ({ ...(r as { toJSON(): Row }).toJSON() }));
}

export const byKey = (k: string) => (a: Row, b: Row) =>
  String(a[k]) < String(b[k]) ? -1 : String(a[k]) > String(b[k]) ? 1 : 0;
