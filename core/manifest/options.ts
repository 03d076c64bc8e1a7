import { isRecord } from './common';
import { type DocContext, describe } from './context';
import { closest } from './suggest';
import type { JobOptions, PartitionByField, PartitionTransformName } from './types';
import type { YamlPath } from './yaml-source';

type Kind = 'string' | 'int' | 'bool' | 'strategy' | 'csv' | 'map' | 'partition' | 'list' | 'reflection';

interface OptionDef {
  /** The spelling the Nilus docs use. */
  name: string;
  key: keyof JobOptions;
  kind: Kind;
  min?: number;
}

/**
 * Every Nilus batch option (DataOS Nilus "Batch Configuration Attributes"), in its documented spelling.
 * `kebab-case`, `snake_case` and camelCase spellings are all accepted.
 */
export const OPTION_DEFS: readonly OptionDef[] = [
  { name: 'source-table', key: 'sourceTable', kind: 'string' },
  { name: 'dest-table', key: 'destTable', kind: 'string' },
  { name: 'incremental-strategy', key: 'incrementalStrategy', kind: 'strategy' },
  { name: 'primary-key', key: 'primaryKey', kind: 'csv' },
  { name: 'incremental-key', key: 'incrementalKey', kind: 'string' },
  { name: 'interval-start', key: 'intervalStart', kind: 'string' },
  { name: 'interval-end', key: 'intervalEnd', kind: 'string' },
  { name: 'partition-by', key: 'partitionBy', kind: 'partition' },
  { name: 'cluster-by', key: 'clusterBy', kind: 'csv' },
  { name: 'page-size', key: 'pageSize', kind: 'int', min: 1 },
  { name: 'extract-parallelism', key: 'extractParallelism', kind: 'int', min: 1 },
  { name: 'loader-file-size', key: 'loaderFileSize', kind: 'int', min: 1 },
  { name: 'type-hints', key: 'typeHints', kind: 'map' },
  { name: 'mask', key: 'mask', kind: 'map' },
  { name: 'full-refresh', key: 'fullRefresh', kind: 'bool' },
  { name: 'sql-reflection-level', key: 'sqlReflectionLevel', kind: 'reflection' },
  { name: 'sql-limit', key: 'sqlLimit', kind: 'int', min: 0 },
  { name: 'sql-exclude-columns', key: 'sqlExcludeColumns', kind: 'list' },
  { name: 'yield-limit', key: 'yieldLimit', kind: 'int', min: 0 },
  { name: 'max-table-nesting', key: 'maxTableNesting', kind: 'int', min: 0 },
  { name: 'staging_bucket', key: 'stagingBucket', kind: 'string' },
  { name: 'aws_region', key: 'awsRegion', kind: 'string' },
  { name: 'aws_endpoint', key: 'awsEndpoint', kind: 'string' },
];

/** Documented defaults (Nilus docs); the engine applies them, the model keeps only what is written. */
export const OPTION_DEFAULTS = {
  pageSize: 50000,
  extractParallelism: 5,
  fullRefresh: false,
  maxTableNesting: 0,
} as const;

const camel = (s: string) => s.replace(/[-_]([a-z])/g, (_m, c: string) => c.toUpperCase());
const BY_SPELLING = new Map<string, OptionDef>();
for (const d of OPTION_DEFS) {
  for (const s of [d.name, d.name.replace(/-/g, '_'), d.name.replace(/_/g, '-'), camel(d.name)]) BY_SPELLING.set(s, d);
}

/** @internal The spelling under which option `key` appears in a raw options mapping, if any. */
export function spellingOf(rawOptions: unknown, key: keyof JobOptions): string | undefined {
  if (!isRecord(rawOptions)) return undefined;
  const target = key === 'sourceQuery' ? 'sourceTable' : key;
  return Object.keys(rawOptions).find((k) => BY_SPELLING.get(k)?.key === target);
}

const TRANSFORMS: readonly PartitionTransformName[] = [
  'identity',
  'year',
  'month',
  'day',
  'hour',
  'bucket',
  'truncate',
];

/**
 * Validates and normalizes a job's `options` mapping. Unknown options are problems that suggest the
 * nearest known option; an option given in two spellings is a problem.
 */
export function parseOptions(ctx: DocContext, raw: unknown, path: YamlPath): JobOptions {
  const out: JobOptions = {};
  if (raw === undefined || raw === null) return out;
  if (!isRecord(raw)) {
    ctx.at(path, `${label(path)}: expected a mapping, got ${describe(raw)}`);
    return out;
  }
  const seen = new Map<keyof JobOptions, string>();
  for (const [spelling, value] of Object.entries(raw)) {
    const at = [...path, spelling];
    const def = BY_SPELLING.get(spelling);
    if (!def) {
      const hint = closest(
        spelling,
        OPTION_DEFS.map((d) => d.name),
      );
      ctx.at(at, `${label(path)}: unknown option '${spelling}'${hint ? `; did you mean '${hint}'?` : ''}`, {
        key: true,
      });
      continue;
    }
    const prev = seen.get(def.key);
    if (prev !== undefined) {
      ctx.at(at, `${label(path)}: option '${spelling}' repeats '${prev}'`, { key: true });
      continue;
    }
    seen.set(def.key, spelling);
    const v = optionValue(ctx, def, value, at);
    if (v === undefined) continue;
    // `source-table: query:<SQL>` is a query, not a table (Nilus docs: "prefix with `query:` for SQL").
    if (def.key === 'sourceTable' && /^query:/i.test(v as string)) out.sourceQuery = (v as string).slice(6).trim();
    else (out as Record<string, unknown>)[def.key] = v;
  }
  return out;
}

/** `source.options` for the options mapping, `source.options.page-size` for (a part of) one option. */
function label(path: YamlPath): string {
  const k = path.lastIndexOf('options');
  const base = `${String(path[k - 1])}.options`;
  return path.length > k + 1 ? `${base}.${String(path[k + 1])}` : base;
}

/** The normalized value of one option, or undefined after reporting why it is invalid. */
function optionValue(ctx: DocContext, def: OptionDef, value: unknown, at: YamlPath): unknown {
  const bad = (what: string): undefined => {
    ctx.at(at, `${label(at)}: expected ${what}, got ${describe(value)}`);
    return undefined;
  };
  switch (def.kind) {
    case 'string':
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
      return typeof value === 'number' ? String(value) : bad('a non-empty string');
    case 'int': {
      const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) return bad('an integer');
      if (def.min !== undefined && n < def.min) {
        ctx.at(at, `${label(at)}: must be >= ${def.min}, got ${n}`);
        return undefined;
      }
      return n;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      return value === 'true' || value === 'false' ? value === 'true' : bad('true or false');
    case 'strategy':
      return enumValue(ctx, value, ['append', 'replace', 'merge'], at);
    case 'reflection':
      return enumValue(ctx, value, ['none', 'fast', 'full'], at);
    case 'csv':
    case 'list': {
      const list = toList(value);
      return list && list.length > 0 ? list : bad('a column or a comma-separated list of columns');
    }
    case 'map':
      if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string')) {
        return bad('a mapping of column to string');
      }
      return { ...(value as Record<string, string>) };
    case 'partition':
      return parsePartitionBy(ctx, value, at);
  }
}

function enumValue(ctx: DocContext, value: unknown, allowed: string[], at: YamlPath): unknown {
  if (typeof value === 'string' && allowed.includes(value)) return value;
  const hint = typeof value === 'string' ? closest(value, allowed) : undefined;
  const got = typeof value === 'string' ? `'${value}'` : describe(value);
  ctx.at(
    at,
    `${label(at)}: must be one of ${allowed.join(', ')}; got ${got}${hint ? ` (did you mean '${hint}'?)` : ''}`,
  );
  return undefined;
}

/** `"a, b"` → `['a','b']`; a YAML list of strings is accepted too. */
function toList(value: unknown): string[] | undefined {
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim());
  return undefined;
}

const PART_KEYS = ['column', 'type', 'bucket-count', 'bucket_count', 'bucketCount', 'width', 'name'];

/** `partition-by`: a column name, `"a, b"` (identity), or a list of `{column, type, bucket-count, width, name}`. */
function parsePartitionBy(ctx: DocContext, value: unknown, at: YamlPath): PartitionByField[] | undefined {
  const simple = typeof value === 'string' ? toList(value) : undefined;
  if (simple && simple.length > 0) return simple.map((column) => ({ column, type: 'identity' }));
  if (!Array.isArray(value) || value.length === 0) {
    ctx.at(at, `${label(at)}: expected a column or a list of {column, type}, got ${describe(value)}`);
    return undefined;
  }
  const out: PartitionByField[] = [];
  value.forEach((item, i) => {
    const f = parsePartitionField(ctx, item, [...at, i]);
    if (f) out.push(f);
  });
  return out.length === value.length ? out : undefined;
}

function parsePartitionField(ctx: DocContext, item: unknown, at: YamlPath): PartitionByField | undefined {
  if (typeof item === 'string') return { column: item, type: 'identity' };
  if (!isRecord(item) || typeof item.column !== 'string') {
    ctx.at(at, `${label(at)}: each item needs a 'column'`);
    return undefined;
  }
  for (const k of Object.keys(item)) {
    if (!PART_KEYS.includes(k)) ctx.at([...at, k], `${label(at)}: unknown field '${k}'`, { key: true });
  }
  const type = (item.type ?? 'identity') as PartitionTransformName;
  if (!TRANSFORMS.includes(type)) {
    ctx.at(
      [...at, 'type'],
      `${label(at)}: type must be one of ${TRANSFORMS.join(', ')}; got ${typeof item.type === 'string' ? `'${item.type}'` : describe(item.type)}`,
    );
    return undefined;
  }
  const field: PartitionByField = { column: item.column, type };
  const count = item['bucket-count'] ?? item.bucket_count ?? item.bucketCount;
  if (type === 'bucket') {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      ctx.at(at, `${label(at)}: bucket partitioning of '${item.column}' needs an integer 'bucket-count' >= 1`);
      return undefined;
    }
    field.bucketCount = count;
  }
  if (type === 'truncate') {
    if (typeof item.width !== 'number' || !Number.isInteger(item.width) || item.width < 1) {
      ctx.at(at, `${label(at)}: truncate partitioning of '${item.column}' needs an integer 'width' >= 1`);
      return undefined;
    }
    field.width = item.width;
  }
  if (typeof item.name === 'string') field.name = item.name;
  return field;
}
