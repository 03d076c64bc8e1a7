import fc from 'fast-check';
import { InvalidInputError } from '../../../../core/errors';
import {
  bindExpression,
  expressionToString,
  parseExpression,
  rewriteNot,
  rowEvaluator,
} from '../../../../core/iceberg/scan';
import type { Schema } from '../../../../core/iceberg/spec';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'a', required: false, type: 'int' },
    { id: 2, name: 'b', required: false, type: 'long' },
    { id: 3, name: 'Name', required: false, type: 'string' },
    { id: 4, name: 'd', required: false, type: 'date' },
    { id: 5, name: 'ts', required: false, type: 'timestamptz' },
    { id: 6, name: 'price', required: false, type: 'decimal(10, 2)' },
    { id: 7, name: 'x', required: false, type: 'double' },
    { id: 8, name: 'flag', required: false, type: 'boolean' },
    {
      id: 9,
      name: 'loc',
      required: false,
      type: { type: 'struct', fields: [{ id: 10, name: 'lat', required: false, type: 'double' }] },
    },
  ],
};

const bind = (text: string, caseSensitive = true) => bindExpression(parseExpression(text), schema, { caseSensitive });
const show = (text: string) => expressionToString(bind(text));

describe('parseExpression', () => {
  it.each([
    ['a > 3 and b in (1,2)', '(a > 3 and b in (1, 2))'],
    ['a >= 3 or not b = 2', '(a >= 3 or not b = 2)'],
    ["Name <> 'x' AND a IS NOT NULL", "(Name != 'x' and a is not null)"],
    ['a not in (1, 2)', 'a not in (1, 2)'],
    ['x is nan', 'x is nan'],
    ['a between 1 and 5', '(a >= 1 and a <= 5)'],
    ["Name like 'ab%'", "Name starts with 'ab'"],
    ['3 < a', 'a > 3'],
    ['(a = 1 or a = 2) and flag = true', '((a = 1 or a = 2) and flag = true)'],
    ['"a" = 1', 'a = 1'],
    ['loc.lat < 1.5', 'loc.lat < 1.5'],
    ["Name = 'it''s'", "Name = 'it's'"],
    ['b = 9223372036854775807', 'b = 9223372036854775807'],
  ])('%s', (text, expected) => {
    expect(expressionToString(parseExpression(text))).toBe(expected);
  });

  it.each(['', 'a >', 'a = null', 'a in ()', '(a = 1', 'a = 1 b', "Name like '%x'", 'a ~ 1'])(
    'rejects %p with a one-line error',
    (text) => {
      expect(() => parseExpression(text)).toThrow(InvalidInputError);
      expect(() => parseExpression(text)).toThrow(/^bad filter/);
    },
  );
});

describe('bindExpression', () => {
  it('types literals by the column', () => {
    expect(show("d = '2017-11-16'")).toBe('d = 17486');
    expect(show("ts < '2017-11-16T14:31:08-08:00'")).toBe('ts < 1510871468000000');
    expect(show('price = 14.2')).toBe('price = 1420');
    expect(show('b = 3')).toBe('b = 3');
  });

  it('adjusts operators for literals between two values of the type', () => {
    expect(show('a < 3.5')).toBe('a <= 3');
    expect(show('a > 3.5')).toBe('a >= 4');
    expect(show('a = 3.5')).toBe('false');
    expect(show('a != 3.5')).toBe('a is not null');
    expect(show('a < 3000000000')).toBe('a is not null');
    expect(show('a > 3000000000')).toBe('false');
    expect(show('price > 1.005')).toBe('price >= 101');
  });

  it('resolves names case-insensitively only when asked', () => {
    expect(() => bind("name = 'x'")).toThrow(/unknown column 'name'/);
    expect(expressionToString(bind("name = 'x'", false))).toBe("Name = 'x'");
  });

  it('rejects filters on nested types and mismatched literals', () => {
    expect(() => bind('loc = 1')).toThrow(/cannot filter on column 'loc'/);
    expect(() => bind("a = 'abc'")).toThrow(/cannot compare column 'a' of type int with 'abc'/);
    expect(() => bind("d = 'yesterday'")).toThrow(/type date/);
  });

  it('pushes not down to the leaves', () => {
    expect(expressionToString(rewriteNot(bind('not (a > 1 and b is null)')))).toBe('(a <= 1 or b is not null)');
  });
});

describe('row evaluation (three-valued)', () => {
  const rows = [
    { a: 1, b: 10n, Name: 'ab', d: 17486, ts: 1510871468000000n, price: '14.20', x: 1.5, flag: true, loc: { lat: 1 } },
    {
      a: 5,
      b: 20n,
      Name: 'cd',
      d: new Date('2017-11-17T00:00:00Z'),
      ts: null,
      price: 3,
      x: Number.NaN,
      flag: false,
      loc: null,
    },
    { a: null, b: null, Name: null, d: null, ts: null, price: null, x: null, flag: null, loc: { lat: null } },
  ];
  const pick = (text: string) => rows.map((r, i) => (rowEvaluator(bind(text))(r) ? i : -1)).filter((i) => i >= 0);

  it.each([
    ['a > 2', [1]],
    ['not (a > 2)', [0]],
    ['a is null', [2]],
    ['a in (1, 5)', [0, 1]],
    ['a not in (1)', [1]],
    ["Name like 'a%'", [0]],
    ["d >= '2017-11-17'", [1]],
    ['price >= 14.2', [0]],
    ['x is nan', [1]],
    ['x > 0', [0]],
    ['x != 1.5', [1]],
    ['flag = false or a is null', [1, 2]],
    ['loc.lat = 1', [0]],
    ['ts is not null', [0]],
    ['true', [0, 1, 2]],
  ])('%s selects rows %p', (text, expected) => {
    expect(pick(text)).toEqual(expected);
  });
});

describe('long in-lists', () => {
  it('match numbers and bigint alike through the set lookup', () => {
    const ids = Array.from({ length: 50 }, (_, i) => i * 3).join(', ');
    const keep = rowEvaluator(bind(`b in (${ids})`));
    expect([0n, 3n, 4n, 147n, 150n].map((b) => keep({ b }))).toEqual([true, true, false, true, false]);
    expect(keep({ b: 6 })).toBe(true);
    const notIn = rowEvaluator(bind(`a not in (${ids})`));
    expect([0, 1, null].map((a) => notIn({ a }))).toEqual([false, true, false]);
    const names = rowEvaluator(bind(`Name in (${Array.from({ length: 20 }, (_, i) => `'n${i}'`).join(', ')})`));
    expect([names({ Name: 'n7' }), names({ Name: 'n70' })]).toEqual([true, false]);
  });
});

describe('hostile filter text', () => {
  it('ends in an expression or a bad-filter error, never a crash', () => {
    const pieces = [
      'a',
      'b',
      'Name',
      'loc.lat',
      'd',
      'ts',
      'price',
      'flag',
      'x',
      "'2017-11-16'",
      "'2017-11-16T01:02:03.5+01:00'",
      'true',
      '1e400',
      '0.001',
      '(',
      ')',
      "'x'",
      '3',
      '-1.5',
      '=',
      '<',
      '>=',
      '!=',
      'and',
      'or',
      'not',
      'in',
      'is',
      'null',
      'nan',
      'between',
      'like',
      ',',
      '"q"',
      '`',
      "'",
      '9223372036854775808',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { maxLength: 12 }),
        fc.string({ maxLength: 8 }),
        (parts, noise) => {
          for (const text of [parts.join(' '), parts.join(' ') + noise]) {
            try {
              bind(text);
            } catch (e) {
              expect(e).toBeInstanceOf(InvalidInputError);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
