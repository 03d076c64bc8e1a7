/** The Iceberg spec model: pure types and functions, no IO. */

export * from './manifest';
export * from './partition-spec';
export * from './schema';
export * from './snapshot';
export * from './sort-order';
export * from './table-metadata';
export * from './types';
