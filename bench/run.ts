/**
 * `npm run bench [-- --quick] [-- --only name]`: runs every benchmark module in bench/ (each a file exporting
 * `run({ quick })`), prints a table, and writes bench/results/latest.json and latest.md.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchModule, BenchResult } from './lib/types';

const RESULTS = join(__dirname, 'results');

function machine() {
  let postgres = 'unknown';
  try {
    postgres = execFileSync(
      'psql',
      ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-tAc', 'show server_version'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
  } catch {
    // no server: the Postgres benchmarks will say so themselves
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memory: totalmem(),
    node: process.version,
    postgres,
  };
}

function markdown(m: ReturnType<typeof machine>, results: BenchResult[], quick: boolean): string {
  const gib = (m.memory / 2 ** 30).toFixed(1);
  const lines = [
    `Machine: ${m.cpus} × ${m.cpuModel}, ${gib} GiB, Node ${m.node}, PostgreSQL ${m.postgres}${quick ? ' (quick run)' : ''}`,
    '',
    '| benchmark | rows | seconds | rows/s | baseline | baseline s | ratio |',
    '|---|---:|---:|---:|---|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.rows.toLocaleString('en')} | ${r.seconds} | ${r.rowsPerSec.toLocaleString('en')} | ${r.baseline ?? '—'} | ${r.baselineSeconds ?? '—'} | ${r.ratio ?? '—'} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
  const quick = Boolean(values.quick);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
    .filter((f) => !values.only || f.startsWith(values.only));
  const results: BenchResult[] = [];
  for (const file of files) {
    process.stdout.write(`# ${file}${quick ? ' (quick)' : ''}\n`);
    try {
      const mod = (await import(join(__dirname, file))) as BenchModule;
      const rs = await mod.run({ quick });
      for (const r of rs) process.stdout.write(`  ${r.name}: ${r.rowsPerSec} rows/s, ratio ${r.ratio ?? '—'}\n`);
      results.push(...rs);
    } catch (err) {
      process.stdout.write(`  failed: ${(err as Error).message}\n`);
    }
  }
  const m = machine();
  writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify({ machine: m, quick, results }, null, 2)}\n`);
  const md = markdown(m, results, quick);
  writeFileSync(join(RESULTS, 'latest.md'), md);
  process.stdout.write(`\n${md}`);
}

main().catch((err) => {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
