/**
 * The catalog contract every implementation (file, sql, rest, glue) fulfils. Shapes follow the REST
 * catalog spec (`LoadTableResult`, `CommitTableRequest`), so the REST server is a thin mapping.
 * A commit is atomic: requirements are checked against the metadata current at the commit point and
 * a failed check or a lost race is a {@link CommitConflictError}.
 */
import type { FileIO } from '../io/file-io';
import type { PartitionSpec } from '../spec/partition-spec';
import type { Schema } from '../spec/schema';
import type { SortOrder } from '../spec/sort-order';
import type { TableMetadata } from '../spec/table-metadata';
import type { CommitTableRequest, TableIdentifier } from './updates';

export * from './errors';
export * from './updates';

/** A loaded table: its current metadata and where that metadata lives. */
export interface LoadedTable {
  identifier: TableIdentifier;
  metadataLocation: string;
  metadata: TableMetadata;
  /** Storage configuration the catalog hands out (REST `config`), e.g. `s3.endpoint`. */
  config?: Record<string, string>;
}

export interface CreateTableRequest {
  schema: Schema;
  partitionSpec?: PartitionSpec;
  sortOrder?: SortOrder;
  properties?: Record<string, string>;
  /** Table folder; default `<warehouse>/<namespace…>/<name>`. */
  location?: string;
  /** @default 2 */
  formatVersion?: 1 | 2 | 3;
}

export interface Catalog {
  /** A short name for messages (`file`, `sql:<name>`, `rest:<uri>`, `glue`). */
  readonly name: string;
  /** The FileIO tables of this catalog are read and written with. */
  readonly io: FileIO;
  listNamespaces(parent?: string[]): Promise<string[][]>;
  createNamespace(namespace: string[], properties?: Record<string, string>): Promise<void>;
  namespaceExists(namespace: string[]): Promise<boolean>;
  loadNamespaceProperties(namespace: string[]): Promise<Record<string, string>>;
  updateNamespaceProperties(namespace: string[], updates: Record<string, string>, removals?: string[]): Promise<void>;
  /** Fails with NamespaceNotEmptyError when tables remain. */
  dropNamespace(namespace: string[]): Promise<void>;
  listTables(namespace: string[]): Promise<TableIdentifier[]>;
  tableExists(id: TableIdentifier): Promise<boolean>;
  loadTable(id: TableIdentifier): Promise<LoadedTable>;
  createTable(id: TableIdentifier, request: CreateTableRequest): Promise<LoadedTable>;
  /** Registers an existing metadata file as a table. */
  registerTable(id: TableIdentifier, metadataLocation: string): Promise<LoadedTable>;
  /** Removes the table from the catalog; with `purge`, also deletes its files. */
  dropTable(id: TableIdentifier, purge?: boolean): Promise<void>;
  renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void>;
  /** Checks requirements, applies updates, and swaps the metadata pointer atomically. */
  commitTable(request: CommitTableRequest): Promise<LoadedTable>;
}
