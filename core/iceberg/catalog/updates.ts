/**
 * Table updates and requirements exactly as the REST catalog spec defines them
 * (`../shared/iceberg-spec/rest-catalog-open-api.yaml`: `TableUpdate`, `TableRequirement`), tagged by
 * `action` and `type` in kebab-case. 64-bit ids are bigint in memory.
 */
import type { PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import type { Snapshot } from '../spec/snapshot';
import type { SortOrder } from '../spec/sort-order';
import type { FormatVersion, PartitionStatisticsFile, StatisticsFile } from '../spec/table-metadata';

export type TableUpdate =
  | { action: 'assign-uuid'; uuid: string }
  | { action: 'upgrade-format-version'; 'format-version': FormatVersion }
  | { action: 'add-schema'; schema: Schema; 'last-column-id'?: number }
  | { action: 'set-current-schema'; 'schema-id': number }
  | { action: 'add-spec'; spec: PartitionSpec }
  | { action: 'set-default-spec'; 'spec-id': number }
  | { action: 'add-sort-order'; 'sort-order': SortOrder }
  | { action: 'set-default-sort-order'; 'sort-order-id': number }
  | { action: 'add-snapshot'; snapshot: Snapshot }
  | {
      action: 'set-snapshot-ref';
      'ref-name': string;
      type: 'branch' | 'tag';
      'snapshot-id': bigint;
      'max-ref-age-ms'?: bigint;
      'max-snapshot-age-ms'?: bigint;
      'min-snapshots-to-keep'?: number;
    }
  | { action: 'remove-snapshots'; 'snapshot-ids': bigint[] }
  | { action: 'remove-snapshot-ref'; 'ref-name': string }
  | { action: 'set-location'; location: string }
  | { action: 'set-properties'; updates: Record<string, string> }
  | { action: 'remove-properties'; removals: string[] }
  | { action: 'set-statistics'; 'snapshot-id'?: bigint; statistics: StatisticsFile }
  | { action: 'remove-statistics'; 'snapshot-id': bigint }
  | { action: 'set-partition-statistics'; 'partition-statistics': PartitionStatisticsFile }
  | { action: 'remove-partition-statistics'; 'snapshot-id': bigint }
  | { action: 'remove-partition-specs'; 'spec-ids': number[] }
  | { action: 'remove-schemas'; 'schema-ids': number[] };

export type TableRequirement =
  | { type: 'assert-create' }
  | { type: 'assert-table-uuid'; uuid: string }
  | { type: 'assert-ref-snapshot-id'; ref: string; 'snapshot-id': bigint | null }
  | { type: 'assert-last-assigned-field-id'; 'last-assigned-field-id': number }
  | { type: 'assert-current-schema-id'; 'current-schema-id': number }
  | { type: 'assert-last-assigned-partition-id'; 'last-assigned-partition-id': number }
  | { type: 'assert-default-spec-id'; 'default-spec-id': number }
  | { type: 'assert-default-sort-order-id'; 'default-sort-order-id': number };

/** A table in a catalog: namespace levels plus name. */
export interface TableIdentifier {
  namespace: string[];
  name: string;
}

/** The body of a commit (REST `CommitTableRequest`). */
export interface CommitTableRequest {
  identifier: TableIdentifier;
  requirements: TableRequirement[];
  updates: TableUpdate[];
}

/** `a.b.t` for messages and keys. */
export function identifierToString(id: TableIdentifier): string {
  return [...id.namespace, id.name].join('.');
}

/** Parses `ns1.ns2.table` (the last part is the table name). */
export function parseIdentifier(text: string): TableIdentifier {
  const parts = text.split('.').filter((p) => p !== '');
  const name = parts.pop() ?? '';
  return { namespace: parts, name };
}
