/**
 * A small validator for five-field cron expressions (minute hour day-of-month month day-of-week), the
 * form DataOS `workflow.schedule.cron` uses. Each field is `*`, a value, a range `a-b`, a step `x/n`,
 * or a comma list of those; months and weekdays also take names (`JAN`, `MON`). `@hourly`-style
 * macros are accepted too. Returns a lower-case problem description, or undefined when valid.
 */

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  // 0 and 7 are both Sunday, as in Vixie cron.
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** Checks a cron expression; returns the problem, or undefined when it parses. */
export function cronProblem(expr: string): string | undefined {
  const text = expr.trim();
  if (text.startsWith('@')) return MACROS.includes(text) ? undefined : `unknown cron macro '${text}'`;
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    return `cron needs 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`;
  for (let i = 0; i < 5; i++) {
    const def = FIELDS[i] as FieldDef;
    const p = fieldProblem(parts[i] as string, def);
    if (p) return `cron ${def.name} field '${parts[i]}': ${p}`;
  }
  return undefined;
}

function fieldProblem(field: string, def: FieldDef): string | undefined {
  for (const item of field.split(',')) {
    if (item === '') return 'empty list item';
    const [range, step, extra] = item.split('/');
    if (extra !== undefined) return 'more than one step';
    if (step !== undefined && !/^\d+$/.test(step)) return `step '${step}' is not a number`;
    if (step !== undefined && Number(step) === 0) return 'step must be at least 1';
    if (range === '*' || range === '?') continue;
    const bounds = (range ?? '').split('-');
    if (bounds.length > 2) return `bad range '${range}'`;
    const values = bounds.map((b) => fieldValue(b, def));
    for (let j = 0; j < values.length; j++) {
      const v = values[j];
      if (v === undefined) return `'${bounds[j]}' is not a ${def.name} (${def.min}-${def.max})`;
    }
    const [lo, hi] = values as number[];
    if (hi !== undefined && lo !== undefined && lo > hi) return `range ${range} is backwards`;
  }
  return undefined;
}

function fieldValue(text: string, def: FieldDef): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= def.min && n <= def.max ? n : undefined;
  }
  const idx = def.names?.indexOf(text.toUpperCase()) ?? -1;
  if (idx < 0) return undefined;
  return def.name === 'month' ? idx + 1 : idx;
}

/** True when `tz` is an IANA time zone this runtime knows (e.g. `Asia/Kolkata`, `UTC`). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
