/**
 * Five-field cron (DataOS `workflow.schedule.cron`, Vixie semantics) → EventBridge Scheduler
 * `cron(minutes hours day-of-month month day-of-week year)`.
 *
 * EventBridge differs from Vixie cron in three ways that matter here
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based):
 * - one of day-of-month / day-of-week must be `?` (Vixie ORs them when both are restricted: not expressible);
 * - day-of-week is 1-7 with 1 = Sunday (Vixie: 0-7 with 0 and 7 = Sunday), and takes no `/` step;
 * - a sixth field, the year.
 */
import { InvalidInputError } from '../errors';

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * The EventBridge Scheduler expression of a five-field cron.
 * @example toScheduleExpression('*\/15 2 * * 1-5') // 'cron(0/15 2 ? * 2,3,4,5,6 *)'
 */
export function toScheduleExpression(cron: string): string {
  const text = cron.trim();
  const expanded = MACROS[text.toLowerCase()] ?? text;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) throw new InvalidInputError(`cron '${cron}': needs 5 fields, got ${parts.length}`);
  const [min, hour, dom, mon, dow] = parts as [string, string, string, string, string];
  const domFree = dom === '*' || dom === '?';
  const dowFree = dow === '*' || dow === '?';
  if (!domFree && !dowFree) {
    throw new InvalidInputError(
      `cron '${cron}': restricts both day-of-month and day-of-week, which EventBridge Scheduler cannot express`,
    );
  }
  const awsDom = dowFree ? startSteps(dom, 1) : '?';
  const awsDow = dowFree ? '?' : weekdays(dow, cron);
  return `cron(${startSteps(min, 0)} ${startSteps(hour, 0)} ${awsDom} ${startSteps(mon, 1)} ${awsDow} *)`;
}

/** `*\/n` → `first/n`: EventBridge documents steps as `start/increment`. */
function startSteps(field: string, first: number): string {
  return field
    .split(',')
    .map((item) => (item.startsWith('*/') ? `${first}/${item.slice(2)}` : item))
    .join(',');
}

/** Day-of-week items → an explicit, sorted EventBridge list (1 = Sunday); `5#3` (third Friday) keeps its `#`. */
function weekdays(field: string, cron: string): string {
  const days = new Set<number>();
  const hashes: string[] = [];
  for (const item of field.split(',')) {
    const hash = /^(\w+)#([1-5])$/.exec(item);
    if (hash) {
      hashes.push(`${dayNumber(hash[1] as string, cron) + 1}#${hash[2]}`);
      continue;
    }
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [lo, hi] = range === '*' ? [0, 6] : rangeBounds(range, stepText !== undefined, cron);
    for (let d = lo; d <= hi; d += step) days.add((d % 7) + 1);
  }
  if (hashes.length > 0 && (days.size > 0 || hashes.length > 1)) {
    throw new InvalidInputError(`cron '${cron}': EventBridge takes a '#' day-of-week only on its own`);
  }
  return hashes[0] ?? [...days].sort((a, b) => a - b).join(',');
}

function rangeBounds(range: string, stepped: boolean, cron: string): [number, number] {
  const [a = '', b] = range.split('-');
  const lo = dayNumber(a, cron);
  if (b !== undefined) return [lo, dayNumber(b, cron)];
  return [lo, stepped ? 6 : lo]; // `1/2` means from Monday every second day
}

/** Vixie day number 0-7 (0 and 7 = Sunday) or a three-letter name → 0-7. */
function dayNumber(text: string, cron: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : DAY_NAMES.indexOf(text.toUpperCase());
  if (n < 0 || n > 7) throw new InvalidInputError(`cron '${cron}': '${text}' is not a day of week`);
  return n;
}
