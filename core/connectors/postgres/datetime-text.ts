/**
 * Dates and times as PostgreSQL text (ISO style), written digit by digit into a ByteWriter: a timestamp is
 * formatted without allocating. Days → civil date by H. Hinnant's `civil_from_days` (proleptic Gregorian, as
 * PostgreSQL and Arrow both use); year ≤ 0 is written as `BC` (PostgreSQL has no year 0: year 0 is 1 BC).
 */
import type { ByteWriter } from './byte-writer';

export const MICROS_PER_DAY = 86_400_000_000;

/** Writes `YYYY-MM-DD` for days since 1970-01-01; returns true when the date is BC (caller appends ` BC`). */
export function writeDate(w: ByteWriter, days: number): boolean {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const bc = y <= 0;
  w.digits(bc ? 1 - y : y, 4);
  w.byte(45);
  w.two(m);
  w.byte(45);
  w.two(d);
  return bc;
}

/** Writes `HH:MM:SS.ffffff` for microseconds since midnight (0 ≤ v ≤ 86 400 000 000). */
export function writeTime(w: ByteWriter, micros: number): void {
  const secs = Math.floor(micros / 1_000_000);
  const frac = micros - secs * 1_000_000;
  const h = (secs / 3600) | 0;
  const rest = secs - h * 3600;
  const m = (rest / 60) | 0;
  w.two(h);
  w.byte(58);
  w.two(m);
  w.byte(58);
  w.two(rest - m * 60);
  w.byte(46);
  w.digits(frac, 6);
}

/** Writes `YYYY-MM-DD HH:MM:SS.ffffff[+00][ BC]` for microseconds since the epoch (a safe integer). */
export function writeTimestamp(w: ByteWriter, micros: number, utc: boolean): void {
  const days = Math.floor(micros / MICROS_PER_DAY);
  const bc = writeDate(w, days);
  w.byte(32);
  writeTime(w, micros - days * MICROS_PER_DAY);
  if (utc) w.ascii('+00');
  if (bc) w.ascii(' BC');
}
