/** Parquet → Arrow reading for Iceberg scans. */
export { buildData, buildVector, uuidBytes } from './build';
export { DeleteLoader, type EqualityDeleteSet, FILE_PATH_ID, POS_ID, tupleKey } from './deletes';
export { readDeletionVector, readRoaring64 } from './deletion-vector';
export {
  CorruptFileError,
  closeParquet,
  openParquet,
  type ParquetSource,
  readRowGroups,
  rowGroupBatches,
  WHOLE_FILE_BELOW,
} from './parquet';
export { dataGetter, type Getter, vectorGetter } from './raw-values';
export { type ReadContext, type ReadState, type ReadTask, type RowAccessor, readDataFile } from './read-file';
