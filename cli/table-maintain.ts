/**
 * `icefloe table maintain <table>`: compaction, manifest rewrite, snapshot expiry and orphan-file removal
 * (core/iceberg/maintenance), in that safe order. Nothing runs unless asked for.
 */
import { InvalidInputError } from '../core/errors';
import type { Catalog } from '../core/iceberg/catalog/catalog';
import type { TableIdentifier } from '../core/iceberg/catalog/updates';
import { type MaintainOptions, maintainTable } from '../core/iceberg/maintenance';
import { stringifyJson } from '../core/iceberg/spec/json';

export const MAINTAIN_OPTIONS = {
  compact: { type: 'boolean' },
  'rewrite-manifests': { type: 'boolean' },
  expire: { type: 'boolean' },
  'older-than': { type: 'string' },
  'retain-last': { type: 'string' },
  'remove-orphans': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

export const MAINTAIN_HELP = `maintain options (icefloe table maintain <table> ...):
  --compact              rewrite small data files into larger ones
  --rewrite-manifests    merge manifests into fewer, larger ones
  --expire               expire snapshots (table defaults: older than 5 days, keep 1)
  --older-than AGE       with --expire / --remove-orphans: e.g. 7d, 12h, 30m, or an ISO-8601 time
  --retain-last N        with --expire: keep at least N recent snapshots
  --remove-orphans       delete files no snapshot references (default: older than 3 days)
  --dry-run              with --remove-orphans: list, delete nothing`;

type MaintainValues = {
  compact?: boolean;
  'rewrite-manifests'?: boolean;
  expire?: boolean;
  'older-than'?: string;
  'retain-last'?: string;
  'remove-orphans'?: boolean;
  'dry-run'?: boolean;
};

/** `7d`, `12h`, `30m`, `45s` or an ISO-8601 time → an absolute time in ms. */
export function olderThanMs(text: string, now = Date.now()): number {
  const m = /^(\d+)\s*([dhms])$/.exec(text.trim());
  if (m) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[m[2] as 'd' | 'h' | 'm' | 's'];
    return now - Number(m[1]) * unit;
  }
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new InvalidInputError(`--older-than must be like 7d, 12h, 30m or an ISO-8601 time, got '${text}'`);
  return t;
}

/** Maintenance options from the command line; asking for nothing is an error. */
export function maintainOptionsOf(v: MaintainValues): MaintainOptions {
  const before = v['older-than'] === undefined ? undefined : olderThanMs(v['older-than']);
  const retain = v['retain-last'];
  if (retain !== undefined && !/^[1-9]\d*$/.test(retain)) {
    throw new InvalidInputError(`--retain-last must be a positive integer, got '${retain}'`);
  }
  const o: MaintainOptions = { compact: v.compact === true, rewriteManifests: v['rewrite-manifests'] === true };
  if (v.expire) {
    o.expire = {
      ...(before === undefined ? {} : { olderThanMs: before }),
      ...(retain ? { retainLast: Number(retain) } : {}),
    };
  }
  if (v['remove-orphans']) {
    // removeOrphanFiles takes an age, expireSnapshots a point in time
    const age = before === undefined ? {} : { olderThanMs: Math.max(0, Date.now() - before) };
    o.removeOrphans = { ...age, dryRun: v['dry-run'] === true };
  }
  if (!o.compact && !o.rewriteManifests && !o.expire && !o.removeOrphans) {
    throw new InvalidInputError(
      'table maintain: nothing to do; give --compact, --rewrite-manifests, --expire or --remove-orphans',
    );
  }
  return o;
}

/** Runs the maintenance and returns the report as text (or JSON). */
export async function runMaintain(catalog: Catalog, id: TableIdentifier, v: MaintainValues, asJson: boolean) {
  const report = await maintainTable(catalog, id, maintainOptionsOf(v));
  if (asJson) return `${stringifyJson(report)}\n`;
  const lines: string[] = [];
  if (report.compacted)
    lines.push(`compacted: ${report.compacted.rewritten} files rewritten into ${report.compacted.added}`);
  if (report.manifests) lines.push(`manifests: ${report.manifests.before} → ${report.manifests.after}`);
  if (report.expired) {
    lines.push(`expired: ${report.expired.snapshots.length} snapshots, ${report.expired.deletedFiles} files deleted`);
  }
  if (report.orphans) {
    lines.push(
      `orphans: ${report.orphans.length} files ${v['dry-run'] ? 'found (dry run, nothing deleted)' : 'deleted'}`,
    );
    for (const p of report.orphans) lines.push(`  ${p}`);
  }
  return `${lines.join('\n')}\n`;
}
