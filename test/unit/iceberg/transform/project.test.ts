import { bindExpression, evaluate, expressionToString, parseExpression } from '../../../../core/iceberg/scan';
import type { BoundExpression } from '../../../../core/iceberg/scan/expression';
import type { PartitionSpec, Schema } from '../../../../core/iceberg/spec';
import {
  parseTransform,
  projectInclusive,
  projectStrictWith,
  projectWith,
  transformFn,
} from '../../../../core/iceberg/transform';
import type { PartitionRef } from '../../../../core/iceberg/transform/project';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
    { id: 3, name: 'ts', required: false, type: 'timestamp' },
    { id: 4, name: 'd', required: false, type: 'date' },
    { id: 5, name: 'price', required: false, type: 'decimal(9, 2)' },
  ],
};

const spec = (transform: string, sourceId: number): PartitionSpec => ({
  'spec-id': 1,
  fields: [{ 'source-id': sourceId, 'field-id': 1000, name: 'p', transform }],
});

const project = (where: string, transform: string, sourceId: number) =>
  expressionToString(
    projectInclusive(bindExpression(parseExpression(where), schema), spec(transform, sourceId), schema),
  );

describe('inclusive projection', () => {
  it.each([
    ['id = 34', 'bucket[100]', 1, 'p = 79'],
    ['id in (34, 35)', 'bucket[100]', 1, 'p in (79, 25)'],
    ['id > 34', 'bucket[100]', 1, 'true'],
    ['id != 34', 'identity', 1, 'p != 34'],
    ['id < 10', 'truncate[10]', 1, 'p <= 0'],
    ['id <= 10', 'truncate[10]', 1, 'p <= 10'],
    ['id > 9', 'truncate[10]', 1, 'p >= 10'],
    ['id >= 9', 'truncate[10]', 1, 'p >= 0'],
    ['id is null', 'bucket[4]', 1, 'p is null'],
    ['id is not null', 'void', 1, 'true'],
    ["name = 'iceberg'", 'truncate[3]', 2, "p = 'ice'"],
    ["name > 'iceberg'", 'truncate[3]', 2, "p >= 'ice'"],
    ["name like 'ic%'", 'truncate[3]', 2, "p starts with 'ic'"],
    ["name like 'iceb%'", 'truncate[3]', 2, "p = 'ice'"],
    ["ts < '2017-11-16T00:00:00'", 'day', 3, 'p <= 17485'],
    ["ts >= '2017-11-16T00:00:00'", 'day', 3, 'p >= 17486'],
    ["d > '2017-11-16'", 'month', 4, 'p >= 574'],
    ["d = '2017-11-16'", 'year', 4, 'p = 47'],
    ['price < 10.65', 'truncate[50]', 5, 'p <= 1050'],
    ['not (id = 34)', 'bucket[100]', 1, 'true'],
    ['id = 34 and name is null', 'bucket[100]', 1, 'p = 79'],
    ['id = 34 or name is null', 'bucket[100]', 1, 'true'],
  ])('%s through %s (source %s) → %s', (where, transform, source, expected) => {
    expect(project(where, transform, source)).toBe(expected);
  });

  it('never excludes a partition holding a matching value (randomized check)', () => {
    const transforms = ['identity', 'bucket[8]', 'truncate[10]'];
    const ops = ['<', '<=', '>', '>=', '=', '!='];
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 200;
    };
    for (let i = 0; i < 500; i++) {
      const t = transforms[i % transforms.length] as string;
      const op = ops[i % ops.length] as string;
      const lit = rnd() - 100;
      const value = BigInt(rnd() - 100);
      const bound = bindExpression(parseExpression(`id ${op} ${lit}`), schema);
      const rowMatches = evaluate(bound, () => value) === true;
      const p: BoundExpression = projectInclusive(bound, spec(t, 1), schema);
      const part = transformFn(parseTransform(t), 'long')(value);
      const partMatches = evaluate(p, (ref) => ((ref as PartitionRef).index === 0 ? part : null)) === true;
      if (rowMatches) expect(partMatches).toBe(true);
    }
  });
});

describe('strict projection', () => {
  it('guarantees the predicate for every row of a partition where it holds (randomized check)', () => {
    const transforms = ['identity', 'bucket[8]', 'truncate[10]', 'truncate[3]'];
    const ops = ['<', '<=', '>', '>=', '!=', 'not in'];
    let seed = 11;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % 200;
    };
    for (let i = 0; i < 1500; i++) {
      const t = parseTransform(transforms[i % transforms.length] as string);
      const op = ops[i % ops.length] as string;
      const lit = rnd() - 100;
      const value = BigInt(rnd() - 100);
      const where = op === 'not in' ? `id not in (${lit}, ${lit + 1})` : `id ${op} ${lit}`;
      const bound = bindExpression(parseExpression(where), schema);
      if (!('term' in bound)) continue;
      const ref: PartitionRef = { ...bound.term, fieldId: 1000, index: 0 };
      const strict = projectStrictWith(bound as never, t, ref);
      const part = transformFn(t, 'long')(value);
      if (strict && evaluate(strict, () => part) === true) expect(evaluate(bound, () => value)).toBe(true);
    }
  });

  it('decides temporal ranges for whole partitions', () => {
    const bound = bindExpression(parseExpression("ts >= '2017-11-16T00:00:00'"), schema);
    if (!('term' in bound)) throw new Error('expected a predicate');
    const ref: PartitionRef = {
      fieldId: 1000,
      name: 'p',
      type: 'date',
      kind: { kind: 'date' },
      path: ['p'],
      repeated: false,
      index: 0,
    };
    const strict = projectStrictWith(bound as never, parseTransform('day'), ref);
    expect(strict && expressionToString(strict)).toBe('p > 17485');
  });
});

describe('temporal projections (randomized, both sides of the epoch)', () => {
  it('inclusive never drops a matching row; strict never keeps a failing one', () => {
    const transforms = ['day', 'month', 'year', 'hour'].map(parseTransform);
    const ops = ['<', '<=', '>', '>=', '=', '!='];
    let seed = 5;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const YEAR_US = 31_536_000_000_000;
    const pick = () => BigInt(rnd(20) - 10) * BigInt(YEAR_US / 10) + BigInt(rnd(1_000_000)) * 86_400_000n;
    for (let i = 0; i < 2000; i++) {
      const t = transforms[i % transforms.length] as ReturnType<typeof parseTransform>;
      const op = ops[i % ops.length] as string;
      // half the literals sit exactly on a day boundary, where off-by-one errors live
      const lit = i % 2 === 0 ? pick() : (pick() / 86_400_000_000n) * 86_400_000_000n;
      const value = i % 3 === 0 ? lit : pick();
      const bound = bindExpression(parseExpression(`ts ${op} ${lit}`), schema);
      if (!('term' in bound)) continue;
      const ref: PartitionRef = {
        fieldId: 1000,
        name: 'p',
        type: 'int',
        kind: { kind: 'int' },
        path: ['p'],
        repeated: false,
        index: 0,
      };
      const part = transformFn(t, 'timestamp')(value);
      const row = evaluate(bound, () => value) === true;
      const inclusive = projectWith(bound as never, t, ref);
      const strict = projectStrictWith(bound as never, t, ref);
      if (row && inclusive) expect(evaluate(inclusive, () => part)).toBe(true);
      if (strict && evaluate(strict, () => part) === true) expect(row).toBe(true);
    }
  });
});
