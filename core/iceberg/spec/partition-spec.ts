/**
 * Partition specs (format/spec.md "Partitioning"). Field ids of partition fields start at 1000;
 * v1 specs may omit them, and then they are assigned 1000, 1001, … in order (spec: "Partition Specs").
 */
export interface PartitionField {
  'source-id': number;
  /** v3 multi-argument transforms; `source-id` is the first of them. */
  'source-ids'?: number[];
  'field-id': number;
  name: string;
  /** Transform text: `identity`, `bucket[16]`, `truncate[4]`, `year`, `month`, `day`, `hour`, `void`. */
  transform: string;
}

export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
}

/** The first id the spec assigns to partition fields. */
export const PARTITION_DATA_ID_START = 1000;

/** True when the spec has no fields, or only `void` fields (no partitioning in effect). */
export function isUnpartitioned(spec: PartitionSpec): boolean {
  return spec.fields.every((f) => f.transform === 'void');
}

/** The unpartitioned spec with id 0. */
export const UNPARTITIONED_SPEC: PartitionSpec = Object.freeze({ 'spec-id': 0, fields: [] }) as PartitionSpec;

/** The highest partition field id of these specs, or 999 when none exists (spec: `last-partition-id`). */
export function lastPartitionId(specs: PartitionSpec[]): number {
  let max = PARTITION_DATA_ID_START - 1;
  for (const s of specs) for (const f of s.fields) max = Math.max(max, f['field-id']);
  return max;
}
