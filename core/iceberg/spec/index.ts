/** The Iceberg spec model: pure types and functions, no IO. */

export * from './json';
export * from './json-values';
export * from './manifest';
export * from './metadata-parse';
export * from './metadata-serialize';
export * from './name-mapping';
export * from './partition-spec';
export * from './schema';
export * from './snapshot';
export * from './snapshot-select';
export * from './sort-order';
export * from './table-metadata';
export * from './temporal';
export { parseSchema, parseType, schemaToJson, typeToJson } from './type-json';
export * from './types';
export * from './values';
