/**
 * Parquet ↔ Arrow for Iceberg. The read side lives in `read/` (field-id projection, deletes,
 * deletion vectors, lossless values, JSON rendering); the write side in `write/`.
 */
export * from './read';
export {
  type ColumnSource,
  converterFor,
  fileHasFieldIds,
  findSourceIndex,
  initialDefault,
  mappingMatchesSchema,
  planColumns,
} from './read/project';
export { batchRows, csvCell, jsonValue, shortestFloat32 } from './read/render';
