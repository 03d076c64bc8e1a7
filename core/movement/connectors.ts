/**
 * The connector registry, keyed by depot type (`postgresql`, `lakehouse`, `generator`, …). The tasks resolve
 * an endpoint's depot, then build its Source or Sink with the registered factory.
 *
 * Connectors register explicitly (`registerSource('postgresql', factory)`) or are discovered: the first time a
 * depot type is asked for, `core/connectors/<folder>/index.ts` is loaded if it exists and its exported
 * `connector: ConnectorModule` is registered (folder: `postgres` for `postgresql`, else the type). Discovery
 * also works in the local engine's worker threads, where registrations made in the main thread do not exist.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Sink, Source } from '../connectors/types';
import { InvalidInputError } from '../errors';
import type { DepotManifest, Endpoint, ManifestSet } from '../manifest/types';
import { lakehouseBinding } from './bindings/lakehouse';
import { postgresBinding } from './bindings/postgres';
import { GeneratorSource } from './sources/generator';

/** What a factory gets: the endpoint (address + options), its depot and every manifest (secrets, lakehouses). */
export interface ConnectorTarget {
  endpoint: Endpoint;
  depot: DepotManifest;
  manifests: ManifestSet;
}

export type SourceFactory = (target: ConnectorTarget) => Source | Promise<Source>;
export type SinkFactory = (target: ConnectorTarget) => Sink | Promise<Sink>;

/** What a connector module exports as `connector`. */
export interface ConnectorModule {
  source?: SourceFactory;
  sink?: SinkFactory;
  /** False when chunks of this depot cannot move in worker threads (e.g. an embedded single-process database). */
  workerSafe?: (depot: DepotManifest) => boolean;
}

const FOLDER_OF_TYPE: Record<string, string> = { postgresql: 'postgres' };

/** A set of connector modules by depot type. */
export class ConnectorRegistry {
  private readonly modules = new Map<string, ConnectorModule>();
  private readonly builtins = new Map<string, ConnectorModule>();
  private readonly discovered = new Set<string>();

  /** Registers a fallback: used for what neither an explicit registration nor a discovered module provides. */
  registerBuiltin(type: string, module: ConnectorModule): this {
    this.builtins.set(type, module);
    return this;
  }

  /** Registers (or extends) the connector of a depot type. */
  register(type: string, module: ConnectorModule): this {
    this.modules.set(type, { ...this.modules.get(type), ...module });
    return this;
  }

  registerSource(type: string, factory: SourceFactory): this {
    return this.register(type, { source: factory });
  }

  registerSink(type: string, factory: SinkFactory): this {
    return this.register(type, { sink: factory });
  }

  /** The connector of a depot type: explicit registrations, then `core/connectors/<folder>`, then built-ins. */
  module(type: string): ConnectorModule | undefined {
    if (!this.discovered.has(type)) {
      this.discovered.add(type);
      const found = discover(type);
      const merged = { ...this.builtins.get(type), ...found, ...this.modules.get(type) };
      if (Object.keys(merged).length > 0) this.modules.set(type, merged);
    }
    return this.modules.get(type);
  }

  /** Depot types with a connector of this kind (for error messages). */
  types(kind: 'source' | 'sink'): string[] {
    const types = new Set([...this.modules.keys(), ...this.builtins.keys()]);
    return [...types].filter((t) => this.module(t)?.[kind]).sort();
  }

  async source(target: ConnectorTarget): Promise<Source> {
    const factory = this.module(target.depot.depot.type)?.source;
    if (!factory) throw this.missing('source', target);
    return factory(target);
  }

  async sink(target: ConnectorTarget): Promise<Sink> {
    const factory = this.module(target.depot.depot.type)?.sink;
    if (!factory) throw this.missing('sink', target);
    return factory(target);
  }

  /** Whether moves of this depot may run in worker threads. */
  workerSafe(depot: DepotManifest): boolean {
    return this.module(depot.depot.type)?.workerSafe?.(depot) ?? true;
  }

  private missing(kind: 'source' | 'sink', t: ConnectorTarget): InvalidInputError {
    const known = this.types(kind);
    return new InvalidInputError(
      `${t.endpoint.address}: no ${kind} connector for depot type '${t.depot.depot.type}' (depot ${t.depot.name}); ` +
        `${kind}s available: ${known.length > 0 ? known.join(', ') : 'none'}`,
    );
  }
}

function discover(type: string): ConnectorModule | undefined {
  if (!/^[a-z][a-z0-9-]*$/.test(type)) return undefined;
  const dir = join(__dirname, '..', 'connectors', FOLDER_OF_TYPE[type] ?? type);
  if (!existsSync(join(dir, 'index.ts')) && !existsSync(join(dir, 'index.js'))) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(dir) as { connector?: ConnectorModule };
  return mod.connector;
}

/**
 * The process-wide registry: icefloe's `generator` source, and built-in bindings of `postgresql` and
 * `lakehouse` depots to the connectors in `core/connectors` (loaded only when a run uses them).
 */
export const connectors = new ConnectorRegistry()
  .registerBuiltin('generator', {
    source: ({ endpoint, depot }) => new GeneratorSource(endpoint, depot.depot.generator ?? { rows: 1000, seed: 42 }),
  })
  .registerBuiltin('postgresql', postgresBinding)
  .registerBuiltin('lakehouse', lakehouseBinding);

/** Registers a source factory for a depot type in the process-wide registry. */
export function registerSource(type: string, factory: SourceFactory): void {
  connectors.registerSource(type, factory);
}

/** Registers a sink factory for a depot type in the process-wide registry. */
export function registerSink(type: string, factory: SinkFactory): void {
  connectors.registerSink(type, factory);
}
