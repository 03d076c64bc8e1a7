import { cronProblem, findCycle, parseCpu, parseDurationSeconds, parseMemoryMiB } from '../../../core/manifest';
import type { DagNode } from '../../../core/manifest/types';

describe('cron', () => {
  it.each(['* * * * *', '*/15 0-6,22 1 JAN-MAR mon-fri', '0 8 * * 7', '55 08 * * *', '@daily', '0 0 1,15 * SUN'])(
    'accepts %s',
    (c) => expect(cronProblem(c)).toBeUndefined(),
  );
  it.each([
    ['* * * *', 'cron needs 5 fields (minute hour day-of-month month day-of-week), got 4'],
    ['60 * * * *', "cron minute field '60': '60' is not a minute (0-59)"],
    ['* 5-2 * * *', "cron hour field '5-2': range 5-2 is backwards"],
    ['* * 0 * *', "cron day-of-month field '0': '0' is not a day-of-month (1-31)"],
    ['* * * FOO *', "cron month field 'FOO': 'FOO' is not a month (1-12)"],
    ['*/x * * * *', "cron minute field '*/x': step 'x' is not a number"],
    ['1,,2 * * * *', "cron minute field '1,,2': empty list item"],
    ['@sometimes', "unknown cron macro '@sometimes'"],
  ])('rejects %s', (c, msg) => expect(cronProblem(c)).toBe(msg));
});

describe('quantities', () => {
  it.each([
    ['500m', 500],
    ['1', 1000],
    [2, 2000],
    ['0.5', 500],
    ['x', undefined],
  ])('cpu %s', (v, n) => expect(parseCpu(v)).toBe(n));
  it.each([
    ['512Mi', 512],
    ['1Gi', 1024],
    ['128M', 123],
    ['1048576', 1],
    ['lots', undefined],
  ])('memory %s', (v, n) => expect(parseMemoryMiB(v)).toBe(n));
  it.each([
    ['30s', 30],
    ['1m', 60],
    ['1h30m', 5400],
    ['500ms', 0.5],
    [45, 45],
    ['5 minutes', undefined],
  ])('duration %s', (v, n) => expect(parseDurationSeconds(v)).toBe(n));
});

describe('findCycle', () => {
  const node = (name: string, dependencies: string[]) => ({ name, dependencies }) as unknown as DagNode;
  it('names the cycle from a job back to itself', () => {
    expect(findCycle([node('a', ['c']), node('b', ['a']), node('c', ['b'])])).toEqual(['a', 'c', 'b', 'a']);
  });
  it('returns undefined for a DAG', () => {
    expect(findCycle([node('a', []), node('b', ['a']), node('c', ['a', 'b'])])).toBeUndefined();
  });
});
