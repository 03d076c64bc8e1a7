import { InvalidInputError } from '../../../../core/errors';
import {
  readManifest,
  readManifestList,
  writeAvroFile,
  writeManifest,
  writeManifestList,
} from '../../../../core/iceberg/avro';
import {
  DataFileContent,
  ManifestContent,
  type ManifestEntry,
  ManifestEntryStatus,
  toBytes,
} from '../../../../core/iceberg/spec';
import { dataFile, schema, spec } from './sample-manifest';

const entry = (n: number, status = ManifestEntryStatus.Added, content = DataFileContent.Data): ManifestEntry => ({
  status,
  snapshotId: 9223372036854775807n,
  sequenceNumber: 5n,
  fileSequenceNumber: 5n,
  dataFile: dataFile(n, content),
});

describe.each([1, 2, 3])('format v%d round trips', (v) => {
  it('writes and reads a data manifest with every partition type', () => {
    const entries = [entry(0), entry(1, ManifestEntryStatus.Existing), entry(2, ManifestEntryStatus.Deleted)];
    const { bytes, manifest } = writeManifest(entries, {
      path: 'mem://m.avro',
      formatVersion: v,
      spec,
      schema,
      snapshotId: 9223372036854775807n,
      sequenceNumber: 5n,
    });
    const back = readManifest(bytes, { path: 'mem://m.avro', specs: [spec], schema, manifestFile: manifest });
    expect(back.header).toMatchObject({ formatVersion: v, partitionSpecId: 2 });
    expect(back.entries.map((e) => e.dataFile)).toEqual(entries.map((e) => e.dataFile));
    if (v >= 2) expect(back.entries.map((e) => e.sequenceNumber)).toEqual([5n, 5n, 5n]);
    expect(manifest).toMatchObject({
      addedFilesCount: 1,
      existingFilesCount: 1,
      deletedFilesCount: 1,
      addedRowsCount: 100,
      manifestLength: bytes.length,
    });
    const nanSummary = manifest.partitions?.[10];
    expect(nanSummary).toMatchObject({ containsNull: false, containsNaN: true });
    expect(manifest.partitions?.[1]).toMatchObject({
      containsNull: true,
      lowerBound: toBytes('int', 1),
      upperBound: toBytes('int', 2),
    });
  });

  it('writes and reads a manifest list', () => {
    const m = {
      manifestPath: 's3://bucket/t/metadata/m.avro',
      manifestLength: 1234,
      partitionSpecId: 2,
      content: v >= 2 ? ManifestContent.Deletes : ManifestContent.Data,
      sequenceNumber: v >= 2 ? 7n : 0n,
      minSequenceNumber: v >= 2 ? 6n : 0n,
      addedSnapshotId: 9223372036854775806n,
      addedFilesCount: 1,
      existingFilesCount: 2,
      deletedFilesCount: 3,
      addedRowsCount: 4,
      existingRowsCount: 5,
      deletedRowsCount: 6,
      partitions: [
        { containsNull: true, containsNaN: false, lowerBound: Uint8Array.of(1), upperBound: Uint8Array.of(2) },
      ],
      ...(v >= 3 ? { firstRowId: 99n } : {}),
    };
    const bytes = writeManifestList([m], {
      formatVersion: v,
      snapshotId: 9223372036854775806n,
      parentSnapshotId: 1n,
      sequenceNumber: 7n,
      codec: 'null',
    });
    expect(readManifestList(bytes, { path: 'mem://l.avro' })).toEqual([m]);
  });

  if (v >= 2) {
    it('writes delete manifests with content in the header', () => {
      const entries = [
        entry(1, ManifestEntryStatus.Added, DataFileContent.EqualityDeletes),
        entry(2, ManifestEntryStatus.Added, DataFileContent.PositionDeletes),
      ];
      const { bytes, manifest } = writeManifest(entries, {
        path: 'm',
        formatVersion: v,
        spec,
        schema,
        snapshotId: 1n,
        content: ManifestContent.Deletes,
      });
      const back = readManifest(bytes, { path: 'm', specs: [spec], schema });
      expect(back.header.content).toBe(ManifestContent.Deletes);
      expect(manifest.content).toBe(ManifestContent.Deletes);
      expect(back.entries[0]?.dataFile.equalityIds).toEqual([1, 3]);
    });
  }
});

describe('inheritance and tolerance', () => {
  it('inherits snapshot id and sequence numbers of added entries from the manifest list entry', () => {
    const e: ManifestEntry = { ...entry(3), snapshotId: null, sequenceNumber: null, fileSequenceNumber: null };
    const { bytes, manifest } = writeManifest([e, { ...e, status: ManifestEntryStatus.Existing }], {
      path: 'm',
      formatVersion: 2,
      spec,
      schema,
      snapshotId: 42n,
      sequenceNumber: 9n,
    });
    const back = readManifest(bytes, { path: 'm', manifestFile: manifest });
    expect(back.entries[0]).toMatchObject({ snapshotId: 42n, sequenceNumber: 9n, fileSequenceNumber: 9n });
    // Existing entries must carry their own sequence number; it is never inherited.
    expect(back.entries[1]).toMatchObject({ snapshotId: 42n, sequenceNumber: null });
  });

  it('reads the spec and the schema from the header when the caller has none', () => {
    const { bytes } = writeManifest([entry(4)], { path: 'm', formatVersion: 2, spec, schema, snapshotId: 1n });
    const back = readManifest(bytes, { path: 'm' });
    expect(back.spec.fields.map((f) => f.transform)).toEqual(spec.fields.map((f) => f.transform));
    expect(back.entries[0]?.dataFile.partition).toEqual(dataFile(4).partition);
  });

  it.each([
    ['garbage', () => Uint8Array.from([1, 2, 3, 4, 5])],
    [
      'a truncated file',
      () =>
        writeManifest([entry(1), entry(2)], {
          path: 'm',
          formatVersion: 2,
          spec,
          schema,
          snapshotId: 1n,
          codec: 'null',
        }).bytes.slice(0, -40),
    ],
    [
      'a corrupt deflate block',
      () => {
        const b = writeManifest([entry(1)], {
          path: 'm',
          formatVersion: 2,
          spec,
          schema,
          snapshotId: 1n,
        }).bytes.slice();
        b.fill(7, b.length - 60, b.length - 20);
        return b;
      },
    ],
  ])('rejects %s with InvalidInputError naming the file', (_name, make) => {
    const run = () => readManifest(make(), { path: 's3://b/t/metadata/bad-m0.avro' });
    expect(run).toThrow(InvalidInputError);
    expect(run).toThrow(/^invalid avro file s3:\/\/b\/t\/metadata\/bad-m0\.avro: /);
  });
});

describe('row lineage (v3)', () => {
  it('assigns first_row_id cumulatively from the manifest list entry', () => {
    const files = [dataFile(1), { ...dataFile(2), firstRowId: 500n }, dataFile(3)];
    const { bytes, manifest } = writeManifest(
      files.map((f) => ({
        status: ManifestEntryStatus.Added,
        snapshotId: 1n,
        sequenceNumber: 1n,
        fileSequenceNumber: 1n,
        dataFile: f,
      })),
      { path: 'm', formatVersion: 3, spec, schema, snapshotId: 1n },
    );
    const back = readManifest(bytes, { path: 'm', manifestFile: { ...manifest, firstRowId: 10n } });
    // file 1 has 101 records, so file 3 starts at 10 + 101; file 2 keeps its own id
    expect(back.entries.map((e) => e.dataFile.firstRowId)).toEqual([10n, 500n, 111n]);
  });
});

describe('hostile headers', () => {
  it('names the file when the partition-spec header is not json', () => {
    const schemaOnly = { type: 'record', name: 'manifest_entry', fields: [{ name: 'status', type: 'int' }] };
    const bytes = writeAvroFile([], {
      schema: schemaOnly,
      metadata: { 'partition-spec': '[{"source-id": 1,', 'partition-spec-id': '7' },
      codec: 'null',
    });
    expect(() => readManifest(bytes, { path: 'bad-header.avro' })).toThrow(/^invalid manifest bad-header\.avro: /);
  });
});

describe('large records', () => {
  it('encodes records bigger than the scratch buffer', () => {
    const big = { ...dataFile(1), filePath: `s3://b/${'x'.repeat(200_000)}.parquet` };
    const { bytes } = writeManifest(
      [
        entry(2),
        {
          status: ManifestEntryStatus.Added,
          snapshotId: 1n,
          sequenceNumber: 1n,
          fileSequenceNumber: 1n,
          dataFile: big,
        },
        entry(3),
      ],
      { path: 'm', formatVersion: 2, spec, schema, snapshotId: 1n },
    );
    const back = readManifest(bytes, { path: 'm', specs: [spec], schema });
    expect(back.entries.map((e) => e.dataFile.filePath.length)).toEqual([
      dataFile(2).filePath.length,
      big.filePath.length,
      dataFile(3).filePath.length,
    ]);
    expect(back.entries[2]?.dataFile).toEqual(dataFile(3));
  });
});
