/**
 * `npm run bench [-- --quick] [-- --only name]`: runs every benchmark module in bench/ (each a file exporting
 * `run({ quick })`; files starting with `_` are skipped), prints a table, and writes bench/results/latest.json and
 * latest.md. `--only a,b` runs the files whose names start with a or b. A failing benchmark is listed under
 * `failures` (and in latest.md) and makes the exit code 1; the others still run.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
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
    loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
  };
}

function markdown(m: ReturnType<typeof machine>, results: BenchResult[], quick: boolean, failures: string[]): string {
  const gib = (m.memory / 2 ** 30).toFixed(1);
  const lines = [
    `Machine: ${m.cpus} × ${m.cpuModel}, ${gib} GiB, Node ${m.node}, PostgreSQL ${m.postgres}, load average ${m.loadAverage.join(' ')} at the end${quick ? ' (quick run)' : ''}`,
    '',
    '| benchmark | rows | seconds | rows/s | baseline | baseline s | ratio | extra |',
    '|---|---:|---:|---:|---|---:|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.rows.toLocaleString('en')} | ${r.seconds} | ${r.rowsPerSec.toLocaleString('en')} | ${r.baseline ?? '—'} | ${r.baselineSeconds ?? '—'} | ${r.ratio ?? '—'} | ${extraText(r)} |`,
    ),
    ...(failures.length > 0 ? ['', 'Failed:', ...failures.map((f) => `- ${f}`)] : []),
  ];
  return `${lines.join('\n')}\n`;
}

function extraText(r: BenchResult): string {
  return Object.entries(r.extra ?? {})
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en') : v}`)
    .join(', ');
}

/**
 * With `--only`, the results of the other modules from the previous latest.json of the same kind (quick or
 * full), so re-running one benchmark keeps the rest of the table.
 */
function previousResults(quick: boolean, rerun: Set<string>): BenchResult[] {
  try {
    const prev = JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) as {
      quick?: boolean;
      results?: BenchResult[];
    };
    if (Boolean(prev.quick) !== quick) return [];
    return (prev.results ?? []).filter((r) => r.module !== undefined && !rerun.has(r.module));
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
  const quick = Boolean(values.quick);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')) // `_x.ts`: scratch scripts, not benchmarks
    .filter((f) => !values.only || values.only.split(',').some((p) => f.startsWith(p)));
  const results: BenchResult[] = [];
  const failures: string[] = [];
  const started = new Date().toISOString();
  for (const file of files) {
    process.stdout.write(`# ${file}${quick ? ' (quick)' : ''} ${new Date().toISOString()}\n`);
    try {
      const mod = (await import(join(__dirname, file))) as BenchModule;
      const rs = await mod.run({ quick });
      for (const r of rs) process.stdout.write(`  ${r.name}: ${r.rowsPerSec} rows/s, ratio ${r.ratio ?? '—'}\n`);
      results.push(...rs.map((r) => ({ ...r, module: file })));
    } catch (err) {
      process.stdout.write(`  failed: ${(err as Error).message}\n`);
      failures.push(`${file}: ${(err as Error).message}`);
    }
  }
  const m = machine();
  if (values.only) results.unshift(...previousResults(quick, new Set(files)));
  writeFileSync(
    join(RESULTS, 'latest.json'),
    `${JSON.stringify({ machine: m, quick, started, finished: new Date().toISOString(), results, failures }, null, 2)}\n`,
  );
  const md = markdown(m, results, quick, failures);
  writeFileSync(join(RESULTS, 'latest.md'), md);
  process.stdout.write(`\n${md}`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
