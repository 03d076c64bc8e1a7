/** Sample schema, spec and data files for the Avro tests. */
import {
  type DataFile,
  DataFileContent,
  type PartitionSpec,
  type Schema,
  toBytes,
} from '../../../../core/iceberg/spec';

export const schema: Schema = {
  type: 'struct',
  'schema-id': 3,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'i', required: false, type: 'int' },
    { id: 3, name: 's', required: false, type: 'string' },
    { id: 4, name: 'd', required: false, type: 'date' },
    { id: 5, name: 'ts', required: false, type: 'timestamptz' },
    { id: 6, name: 'price', required: false, type: 'decimal(20, 3)' },
    { id: 7, name: 'u', required: false, type: 'uuid' },
    { id: 8, name: 'f', required: false, type: 'fixed[3]' },
    { id: 9, name: 'bin', required: false, type: 'binary' },
    { id: 10, name: 'flag', required: false, type: 'boolean' },
    { id: 11, name: 'x', required: false, type: 'double' },
    { id: 12, name: 'tns', required: false, type: 'timestamp_ns' },
  ],
};

export const spec: PartitionSpec = {
  'spec-id': 2,
  fields: [
    { 'source-id': 1, 'field-id': 1000, name: 'id_bucket', transform: 'bucket[16]' },
    { 'source-id': 2, 'field-id': 1001, name: 'i', transform: 'identity' },
    { 'source-id': 3, 'field-id': 1002, name: 's.trunc', transform: 'truncate[2]' },
    { 'source-id': 4, 'field-id': 1003, name: 'd_month', transform: 'month' },
    { 'source-id': 5, 'field-id': 1004, name: 'ts_day', transform: 'day' },
    { 'source-id': 6, 'field-id': 1005, name: 'price', transform: 'identity' },
    { 'source-id': 7, 'field-id': 1006, name: 'u', transform: 'identity' },
    { 'source-id': 8, 'field-id': 1007, name: 'f', transform: 'identity' },
    { 'source-id': 9, 'field-id': 1008, name: 'bin', transform: 'identity' },
    { 'source-id': 10, 'field-id': 1009, name: 'flag', transform: 'identity' },
    { 'source-id': 11, 'field-id': 1010, name: 'x', transform: 'identity' },
    { 'source-id': 12, 'field-id': 1011, name: 'tns_hour', transform: 'hour' },
    { 'source-id': 5, 'field-id': 1012, name: 'ts', transform: 'identity' },
  ],
};

export function dataFile(n: number, content = DataFileContent.Data): DataFile {
  const f: DataFile = {
    content,
    filePath: `s3://bucket/t/data/f-${n}.parquet`,
    fileFormat: 'PARQUET',
    partition: [
      n % 16,
      n === 0 ? null : n,
      `s${n}`,
      600 + n,
      19000 + n,
      -123456789012345678n + BigInt(n),
      '0f9c3e09-677c-4bbd-a479-3f349cb785e7',
      Uint8Array.of(1, 2, n),
      Uint8Array.of(n),
      n % 2 === 0,
      n === 1 ? Number.NaN : n / 2,
      470000 + n,
      1510871468000000n + BigInt(n),
    ],
    recordCount: 100 + n,
    fileSizeInBytes: 4096 + n,
    columnSizes: new Map([[1, 10]]),
    valueCounts: new Map([
      [1, 100 + n],
      [2, 100 + n],
    ]),
    nullValueCounts: new Map([[2, n]]),
    nanValueCounts: new Map([[11, 0]]),
    lowerBounds: new Map([[1, toBytes('long', BigInt(n))]]),
    upperBounds: new Map([[1, toBytes('long', BigInt(n + 99))]]),
    splitOffsets: [4],
    sortOrderId: 0,
  };
  if (content === DataFileContent.EqualityDeletes) f.equalityIds = [1, 3];
  return f;
}
