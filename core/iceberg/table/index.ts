/** Opening, describing and scanning Iceberg tables. */
export { isMetadataFile, locateMetadataFile } from './locate';
export { identityPaths, movedPathResolver, type PathResolver } from './moved-paths';
export { type LoadedTable, loadedTable, loadTable, type OpenTableOptions, ResolvingFileIO } from './open';
export { type HistoryEntry, openTable, type ScanOptions, type ScanStats, Table, type TableScan } from './table';
