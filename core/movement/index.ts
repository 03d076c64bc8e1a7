/**
 * Data movement: the plan / move / commit / cleanup tasks, their payload contracts, the staging area, the
 * connector registry (built-in: the `generator` source; `postgresql` and `lakehouse` bindings, loaded on use), column
 * masks. The lakehouse source is imported from `./sources/lakehouse` directly, to keep this entry light.
 */
export * from './connectors';
export * from './deps';
export { MASK_FUNCTIONS, type MaskFunction, maskBatch, maskSchema, masksOf } from './mask';
export { type SchemaJson, schemaFromJson, schemaToJson } from './schema-json';
export { GeneratorSource, ORDERS_SCHEMA, ordersBatch } from './sources/generator';
export { runKeys, Staging, safeSegment, toJson } from './staging';
export { cleanup, commit, type MoveChunk, move, plan, type StagedRecord } from './tasks';
export type * from './types';
