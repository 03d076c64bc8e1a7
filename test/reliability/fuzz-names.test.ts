/**
 * Hostile strings through the small parsers that take user text straight from manifests and the CLI: the
 * `--where` expression language, Postgres table names, Iceberg table identifiers. Each ends in a value or a
 * named IcefloeError, never a TypeError/RangeError or a hang.
 */
import fc from 'fast-check';
import { parseTableName, quoteIdent } from '../../core/connectors/postgres/ident';
import { parseIdentifier } from '../../core/iceberg/catalog/updates';
import { parseExpression } from '../../core/iceberg/scan/parse-expression';
import { HANG_MS, outcomeOf } from './mutate';

const PIECES = [
  'id',
  'name',
  ' and ',
  ' or ',
  'not ',
  '(',
  ')',
  '=',
  '!=',
  '<',
  '>=',
  ' in ',
  ' is null',
  "'x'",
  "''",
  '"q"',
  '1',
  '-1',
  '1e309',
  '9223372036854775808',
  ' between ',
  ',',
  '.',
  '"',
  ';',
  '--',
  '\\',
  '\u0000',
  'starts_with',
  ' like ',
];
const expressionText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }).map((p) => p.join('')),
);

async function expectContained(fn: () => unknown, input: string): Promise<void> {
  const o = await outcomeOf(fn);
  if (o.kind === 'escaped') throw new Error(`escaped ${o.name}: ${o.message} for ${JSON.stringify(input)}`);
  expect(o.ms).toBeLessThan(HANG_MS);
}

describe('hostile text through name and expression parsers', () => {
  it('parseExpression (--where)', async () => {
    await fc.assert(
      fc.asyncProperty(expressionText, (t) => expectContained(() => parseExpression(t), t)),
      { numRuns: 300, seed: 5101 },
    );
  });

  it('parseTableName and quoteIdent (Postgres): a parsed name always quotes back to one identifier', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.array(fc.constantFrom('a', '"', '.', ';', ' ', "'", '\u0000'), { maxLength: 12 }).map((p) => p.join('')),
        ),
        async (t) => {
          await expectContained(() => {
            const n = parseTableName(t);
            for (const part of [n.schema, n.table]) {
              const q = quoteIdent(part);
              // One quoted identifier: the inner quotes are all doubled.
              expect(q.slice(1, -1).replace(/""/g, '')).not.toContain('"');
            }
          }, t);
        },
      ),
      { numRuns: 300, seed: 5102 },
    );
  });

  it('parseIdentifier (Iceberg dest-table)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), (t) => expectContained(() => parseIdentifier(t), t)),
      { numRuns: 300, seed: 5103 },
    );
  });
});
