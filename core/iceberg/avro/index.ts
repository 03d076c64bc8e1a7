/** Avro manifests and manifest lists with field ids and BigInt longs. */
export { avroType } from './avro-type';
export { type AvroFile, readAvroFile, type WriteAvroOptions, writeAvroFile } from './container';
export {
  type ReadManifestListOptions,
  readManifestList,
  type WriteManifestListOptions,
  writeManifestList,
} from './manifest-list';
export { type Manifest, type ReadManifestOptions, readManifest } from './manifest-read';
export { partitionSummaries, type WriteManifestOptions, writeManifest } from './manifest-write';
export {
  avroName,
  avroPrimitive,
  decimalBytes,
  manifestEntrySchema,
  manifestListSchema,
  partitionRecord,
  partitionTypes,
} from './schemas';
