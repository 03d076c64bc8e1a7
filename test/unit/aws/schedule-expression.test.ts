import { toScheduleExpression } from '../../../core/aws/schedule-expression';
import { InvalidInputError } from '../../../core/errors';

describe('five-field cron → EventBridge Scheduler cron()', () => {
  it.each([
    ['0 2 * * *', 'cron(0 2 * * ? *)'],
    ['*/15 * * * *', 'cron(0/15 * * * ? *)'],
    ['30 6 1 * *', 'cron(30 6 1 * ? *)'],
    ['0 9 * * 1-5', 'cron(0 9 ? * 2,3,4,5,6 *)'],
    ['0 9 * * 0', 'cron(0 9 ? * 1 *)'],
    ['0 9 * * 7', 'cron(0 9 ? * 1 *)'],
    ['0 9 * * 5-7', 'cron(0 9 ? * 1,6,7 *)'],
    ['0 9 * * MON,FRI', 'cron(0 9 ? * 2,6 *)'],
    ['0 9 * * */2', 'cron(0 9 ? * 1,3,5,7 *)'],
    ['0 9 * * 5#3', 'cron(0 9 ? * 6#3 *)'],
    ['0 0 1 JAN *', 'cron(0 0 1 JAN ? *)'],
    ['0 */6 */2 * *', 'cron(0 0/6 1/2 * ? *)'],
    ['@daily', 'cron(0 0 * * ? *)'],
    ['@weekly', 'cron(0 0 ? * 1 *)'],
    ['@hourly', 'cron(0 * * * ? *)'],
  ])('%s → %s', (cron, expected) => {
    expect(toScheduleExpression(cron)).toBe(expected);
  });

  it('rejects restricting both day-of-month and day-of-week (Vixie ORs them; EventBridge cannot)', () => {
    expect(() => toScheduleExpression('0 0 1 * 1')).toThrow(InvalidInputError);
    expect(() => toScheduleExpression('0 0 1 * 1')).toThrow(/restricts both day-of-month and day-of-week/);
  });

  it('rejects a wrong field count', () => {
    expect(() => toScheduleExpression('0 0 * *')).toThrow("cron '0 0 * *': needs 5 fields, got 4");
  });
});
