/**
 * Dates, times and timestamps as Iceberg stores them (days, µs, ns since the epoch) to and from
 * ISO-8601 text (format/spec.md "JSON single-value serialization").
 */
const DAY_MS = 86_400_000;
const DATE = /^([+-]?\d{4,6})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const TS = /^([+-]?\d{4,6}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/** Days since 1970-01-01 of `YYYY-MM-DD`; undefined when the text is not a date. */
export function parseDate(text: string): number | undefined {
  const m = DATE.exec(text.trim());
  if (!m) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Math.floor(d.getTime() / DAY_MS);
}

/** Nanoseconds since midnight of `HH:MM[:SS[.fffffffff]]`. */
export function parseTimeNanos(text: string): bigint | undefined {
  const m = TIME.exec(text.trim());
  if (!m) return undefined;
  const secs = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
  const frac = BigInt((m[4] ?? '').padEnd(9, '0'));
  return BigInt(secs) * 1_000_000_000n + frac;
}

/**
 * Nanoseconds since the epoch of an ISO timestamp; a zone suffix (`Z`, `+02:00`) is applied,
 * no suffix means UTC (timestamps without zone are stored as if UTC).
 */
export function parseTimestampNanos(text: string): bigint | undefined {
  const m = TS.exec(text.trim());
  if (!m) {
    const days = parseDate(text);
    return days === undefined ? undefined : BigInt(days) * 86_400_000_000_000n;
  }
  const days = parseDate(m[1] ?? '');
  const time = parseTimeNanos(m[2] ?? '');
  if (days === undefined || time === undefined) return undefined;
  let offsetMinutes = 0;
  const z = m[3];
  if (z && z.toUpperCase() !== 'Z') {
    const digits = z.replace(':', '');
    offsetMinutes = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (digits[0] === '-' ? -1 : 1);
  }
  return BigInt(days) * 86_400_000_000_000n + time - BigInt(offsetMinutes) * 60_000_000_000n;
}

/** `YYYY-MM-DD` of days since the epoch. */
export function formatDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** `HH:MM:SS.ffffff` of µs since midnight (nanos when `unit` is 'ns'). */
export function formatTime(value: bigint, unit: 'us' | 'ns' = 'us'): string {
  const perSec = unit === 'us' ? 1_000_000n : 1_000_000_000n;
  const secs = Number(value / perSec);
  const frac = (value % perSec).toString().padStart(unit === 'us' ? 6 : 9, '0');
  const hh = String(Math.floor(secs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((secs % 3600) / 60)).padStart(2, '0');
  const ss = String(secs % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${frac}`;
}

/**
 * ISO-8601 text of a timestamp: µs (or ns) since the epoch, with `+00:00`-style `Z` suffix for timestamptz.
 * @example formatTimestamp(0n, 'us', true) // '1970-01-01T00:00:00.000000Z'
 */
export function formatTimestamp(value: bigint, unit: 'us' | 'ns' = 'us', utc = false): string {
  const perDay = unit === 'us' ? 86_400_000_000n : 86_400_000_000_000n;
  const days = floorDiv(value, perDay);
  const rest = value - days * perDay;
  return `${formatDate(Number(days))}T${formatTime(rest, unit)}${utc ? 'Z' : ''}`;
}
