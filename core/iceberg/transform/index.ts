/** Partition transforms and the Murmur3 hash of bucket partitioning. */

export { bucketValue, hashValue } from './bucket';
export { murmur3Bytes, murmur3Double, murmur3Int, murmur3Long } from './murmur3';
export { type PartitionRef, partitionRefs, projectInclusive, projectStrictWith, projectWith } from './project';
export { dayOf, hourOf, monthOf, yearOf } from './temporal';
export * from './transform';
export { truncateValue } from './truncate';
