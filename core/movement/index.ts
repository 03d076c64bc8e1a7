/**
 * Data movement: the plan / move / commit / cleanup tasks, their payload contracts, the staging area, the
 * connector registry (with the built-in `generator` source).
 */
export * from './connectors';
export * from './deps';
export { type SchemaJson, schemaFromJson, schemaToJson } from './schema-json';
export { GeneratorSource, ORDERS_SCHEMA, ordersBatch } from './sources/generator';
export { runKeys, Staging, safeSegment, toJson } from './staging';
export { cleanup, commit, move, plan, type StagedRecord } from './tasks';
export type * from './types';
