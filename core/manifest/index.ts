/**
 * The manifest layer: DataOS-style YAML (`lakehouse`, `depot`, `instance-secret`, `workflow`) parsed
 * with source positions, validated, normalized into `./types`, and resolved (`dataos://` addresses,
 * instance secrets, the seed's environment form). See docs/manifests.md.
 */
export type { ParsedAddress, ResolvedAddress } from './address';
export { allDepots, parseAddress, resolveAddress } from './address';
export { crossChecks, findCycle } from './checks';
export { cronProblem, isValidTimeZone } from './cron';
export { depotOfLakehouse } from './depot';
export type { LakehouseFromEnv } from './env';
export { lakehouseDepotFromEnv } from './env';
export { formatProblem, loadManifests, parseManifestText, sortProblems, toManifestSet } from './load';
export { OPTION_DEFAULTS, OPTION_DEFS } from './options';
export { parseCpu, parseDurationSeconds, parseMemoryMiB } from './quantities';
export type { ResolvedSecret } from './secret';
export { resolveSecret } from './secret';
export * from './types';
