/**
 * Kubernetes-style quantities as DataOS `resources` write them, and Go-style durations as `retry.duration`.
 * Each parser returns undefined for text it does not understand (the caller reports the problem).
 */

/** CPU in millicores: `500m` → 500, `1` → 1000, `0.5` → 500. */
export function parseCpu(v: unknown): number | undefined {
  if (typeof v === 'number') return v > 0 ? Math.round(v * 1000) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const milli = m[2] === 'm' ? n : n * 1000;
  return milli > 0 ? Math.round(milli) : undefined;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Memory in MiB, rounded up: `512Mi` → 512, `1Gi` → 1024, `1G` → 954, `1048576` (bytes) → 1. */
export function parseMemoryMiB(v: unknown): number | undefined {
  const text = typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)([KMGT]i|[kKMGT]?)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2] ?? '';
  const bytes = Number(m[1]) * (BINARY[unit] ?? DECIMAL[unit] ?? 1);
  return bytes > 0 ? Math.ceil(bytes / 2 ** 20) : undefined;
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds of a duration: `30s` → 30, `1m` → 60, `1h30m` → 5400, `500ms` → 0.5; a bare number is seconds. */
export function parseDurationSeconds(v: unknown): number | undefined {
  if (typeof v === 'number') return v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? 's'] ?? 1);
    consumed = re.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}
