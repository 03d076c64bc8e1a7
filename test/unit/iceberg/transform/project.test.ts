import { bindExpression, evaluate, expressionToString, parseExpression } from '../../../../core/iceberg/scan';
import type { BoundExpression } from '../../../../core/iceberg/scan/expression';
import type { PartitionSpec, Schema } from '../../../../core/iceberg/spec';
import { parseTransform, projectInclusive, transformFn } from '../../../../core/iceberg/transform';
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
