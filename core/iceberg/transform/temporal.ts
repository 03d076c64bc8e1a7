/**
 * year, month, day and hour transforms (format/spec.md "Partition Transforms"): counts of whole
 * units since 1970-01-01T00:00 UTC, flooring for instants before the epoch.
 */
import type { PrimitiveKind, PrimitiveValue } from '../spec/types';

const US_PER_DAY = 86_400_000_000n;
const US_PER_HOUR = 3_600_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Micros since the epoch of a date/timestamp/timestamp_ns value. */
function micros(k: PrimitiveKind, v: PrimitiveValue): bigint {
  if (k.kind === 'date') return BigInt(v as number) * US_PER_DAY;
  if (k.kind === 'timestamp_ns' || k.kind === 'timestamptz_ns') return floorDiv(BigInt(v as bigint), 1000n);
  return BigInt(v as bigint);
}

function days(k: PrimitiveKind, v: PrimitiveValue): number {
  if (k.kind === 'date') return Number(v);
  return Number(floorDiv(micros(k, v), US_PER_DAY));
}

/** Civil year and month (1-12) of days since the epoch. */
function civil(d: number): { y: number; m: number } {
  const date = new Date(d * 86_400_000);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth() + 1 };
}

/** Years since 1970. */
export function yearOf(k: PrimitiveKind, v: PrimitiveValue): number {
  return civil(days(k, v)).y - 1970;
}

/** Months since 1970-01. */
export function monthOf(k: PrimitiveKind, v: PrimitiveValue): number {
  const { y, m } = civil(days(k, v));
  return (y - 1970) * 12 + (m - 1);
}

/** Days since 1970-01-01 (a date). */
export function dayOf(k: PrimitiveKind, v: PrimitiveValue): number {
  return days(k, v);
}

/** Hours since 1970-01-01T00:00. */
export function hourOf(k: PrimitiveKind, v: PrimitiveValue): number {
  return Number(floorDiv(micros(k, v), US_PER_HOUR));
}
