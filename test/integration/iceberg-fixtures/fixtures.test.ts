/**
 * Acceptance: one test per fixture table of shared/fixtures/iceberg (all 63), each asserting
 * every expected answer its INDEX.md entry states. Cases we cannot pass run as `it.failing`
 * with the reason (they keep asserting the truth, and turn red when they start passing).
 */

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cases as duckdb } from './cases-duckdb';
import { cases as duckdbPart } from './cases-duckdb-part';
import { cases as upstream } from './cases-icebird-polars-glaredb';
import { cases as impala } from './cases-impala';
import { FIXTURES, localOpener } from './fixture-helpers';

const all = [...upstream, ...duckdb, ...duckdbPart, ...impala];

describe('iceberg fixtures (local folder, --allow-moved-paths)', () => {
  const open = localOpener();

  it('covers every fixture table exactly once', () => {
    const tables = readdirSync(FIXTURES).filter((f) => statSync(join(FIXTURES, f)).isDirectory());
    expect(tables).toHaveLength(63);
    expect(all.map((c) => c.name).sort()).toEqual(tables.sort());
  });

  for (const c of all) {
    if (c.failing) {
      // Known gap; the reason is in the case's `failing` text.
      it.failing(`${c.name} (known gap: ${c.failing})`, () => c.run(open), 60_000);
    } else {
      it(c.name, () => c.run(open), 60_000);
    }
  }
});
