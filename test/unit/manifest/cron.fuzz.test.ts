import fc from 'fast-check';
import { cronProblem, parseCpu, parseMemoryMiB } from '../../../core/manifest';

/** A valid field for a range lo..hi: `*`, a value, a range, a step, or a list of those. */
function field(lo: number, hi: number): fc.Arbitrary<string> {
  const value = fc.integer({ min: lo, max: hi });
  const range = fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  const item = fc.oneof(
    fc.constant('*'),
    value.map(String),
    range,
    fc.tuple(fc.oneof(fc.constant('*'), range), fc.integer({ min: 1, max: 30 })).map(([r, s]) => `${r}/${s}`),
  );
  return fc.array(item, { minLength: 1, maxLength: 4 }).map((items) => items.join(','));
}

const cron = fc
  .tuple(field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 7))
  .map((fields) => fields.join(' '));

describe('cron (property)', () => {
  it('accepts every expression built from valid fields', () => {
    fc.assert(fc.property(cron, (c) => cronProblem(c) === undefined));
  });

  it('rejects an out-of-range minute anywhere in a list', () => {
    fc.assert(
      fc.property(cron, fc.integer({ min: 60, max: 999 }), (c, bad) => {
        const [minute, ...rest] = c.split(' ');
        return cronProblem([`${minute},${bad}`, ...rest].join(' ')) !== undefined;
      }),
    );
  });
});

describe('quantities (property)', () => {
  it('reads millicores and MiB back exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        (n) => parseCpu(`${n}m`) === n && parseMemoryMiB(`${n}Mi`) === n,
      ),
    );
  });
});
