/** Parquet → Arrow reading for Iceberg scans. */
export { buildData, buildVector } from './build';
export { DeleteLoader, type EqualityDeleteSet, tupleKey } from './deletes';
export { readDeletionVector, readRoaring64 } from './deletion-vector';
export { CorruptFileError, openParquet, type ParquetSource, readRowGroups } from './parquet';
export { fileHasFieldIds, planColumns } from './project';
export { dataGetter, type Getter, vectorGetter } from './raw-values';
export { type ReadContext, type ReadState, type ReadTask, type RowAccessor, readDataFile } from './read-file';
