/**
 * Shared by the copy-on-write splice tests: the live data files of a table, its current schema and spec, and the
 * check that a rewritten file's metrics equal a from-scratch write of its rows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as arrow from 'apache-arrow';
import { conformTable } from '../../../../core/arrow/write/conform';
import { writeDataFiles } from '../../../../core/arrow/write/data-file-writer';
import { readFooter } from '../../../../core/arrow/write/parquet-splice';
import type { Catalog } from '../../../../core/iceberg/catalog/catalog';
import type { TableIdentifier } from '../../../../core/iceberg/catalog/updates';
import { LocalFileIO } from '../../../../core/iceberg/io/local';
import { type DataFile, ManifestEntryStatus } from '../../../../core/iceberg/spec/manifest';
import type { PartitionSpec } from '../../../../core/iceberg/spec/partition-spec';
import type { Schema } from '../../../../core/iceberg/spec/schema';
import { readManifest, readManifestList } from '../../../../core/iceberg/transaction/manifest-io';

export type Loaded = Awaited<ReturnType<Catalog['loadTable']>>;

export function current(m: Loaded['metadata']): { schema: Schema; spec: PartitionSpec } {
  const schema = m.schemas.find((s) => s['schema-id'] === m['current-schema-id']);
  const spec = m['partition-specs'].find((s) => s['spec-id'] === m['default-spec-id']);
  if (!schema || !spec) throw new Error('no schema or spec');
  return { schema, spec };
}

export async function liveFiles(catalog: Catalog, id: TableIdentifier): Promise<DataFile[]> {
  const { metadata: m } = await catalog.loadTable(id);
  const snap = m.snapshots.find((s) => s['snapshot-id'] === m['current-snapshot-id']);
  const { schema } = current(m);
  const out: DataFile[] = [];
  for (const mf of await readManifestList(catalog.io, snap?.['manifest-list'] as string)) {
    const spec = m['partition-specs'].find((s) => s['spec-id'] === mf.partitionSpecId);
    if (!spec) throw new Error('no spec');
    for (const e of await readManifest(catalog.io, mf, schema, spec))
      if (e.status !== ManifestEntryStatus.Deleted) out.push(e.dataFile);
  }
  return out;
}

/** The rewritten file's metrics equal those of writing `kept` (its rows) from scratch in the same spec. */
export async function expectScratchMetrics(
  catalog: Catalog,
  id: TableIdentifier,
  rewritten: DataFile,
  kept: arrow.Table,
): Promise<void> {
  const { metadata: m } = await catalog.loadTable(id);
  const { schema, spec } = current(m);
  const scratch = await writeDataFiles(conformTable(kept, schema), {
    io: new LocalFileIO(),
    location: mkdtempSync(join(tmpdir(), 'icefloe-cow-scratch-')),
    schema,
    spec,
    properties: {},
    prefix: 'scratch',
  });
  expect(scratch).toHaveLength(1);
  const s = scratch[0] as DataFile;
  expect(rewritten.recordCount).toBe(s.recordCount);
  expect(rewritten.partition).toEqual(s.partition);
  expect(rewritten.valueCounts).toEqual(s.valueCounts);
  expect(rewritten.nullValueCounts).toEqual(s.nullValueCounts);
  expect(rewritten.nanValueCounts).toEqual(s.nanValueCounts);
  expect(rewritten.lowerBounds).toEqual(s.lowerBounds);
  expect(rewritten.upperBounds).toEqual(s.upperBounds);
  const bytes = await catalog.io.read(rewritten.filePath);
  expect(rewritten.fileSizeInBytes).toBe(bytes.length);
  expect(rewritten.splitOffsets).toEqual(readFooter(bytes).groups.map((g) => g.start));
}
