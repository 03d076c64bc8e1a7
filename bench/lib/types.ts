/** One measured figure of a benchmark, with the baseline measured in the same run. */
export interface BenchResult {
  name: string;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSec: number;
  /** What the figure is compared against (e.g. "psql \\copy + MERGE"); null when there is none. */
  baseline: string | null;
  baselineSeconds: number | null;
  /** baselineSeconds / seconds: above 1 means faster than the baseline. */
  ratio: number | null;
  /** Extra figures (peak RSS, bundle size, speed-up, …). */
  extra?: Record<string, number | string>;
  /** The bench/ file that produced it (set by the harness). */
  module?: string;
}

export interface BenchOptions {
  /** 10× smaller inputs; the whole suite finishes in a few minutes. */
  quick: boolean;
}

/** A benchmark module: a file `bench/<name>.ts` exporting `run`. */
export type BenchModule = { run(options: BenchOptions): Promise<BenchResult[]> };

/** Builds a result from measured seconds, computing rows/s and the ratio. */
export function result(
  name: string,
  m: { rows: number; bytes?: number; seconds: number },
  base?: { name: string; seconds: number },
  extra?: Record<string, number | string>,
): BenchResult {
  return {
    name,
    rows: m.rows,
    bytes: m.bytes ?? 0,
    seconds: round(m.seconds),
    rowsPerSec: Math.round(m.rows / m.seconds),
    baseline: base?.name ?? null,
    baselineSeconds: base ? round(base.seconds) : null,
    ratio: base ? round(base.seconds / m.seconds) : null,
    ...(extra ? { extra } : {}),
  };
}

/** Times an async function in seconds (wall clock). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/**
 * Runs a benchmark module on its own (`npx tsx bench/<name>.ts [--quick]`) when it is the process's main module:
 * one line per result on stdout (JSON unless `line` says otherwise), a failure as one `error:` line and exit 1.
 */
export function runIfMain(
  mod: NodeModule,
  run: BenchModule['run'],
  line: (r: BenchResult) => string = (r) => JSON.stringify(r),
): void {
  if (require.main !== mod) return;
  run({ quick: process.argv.includes('--quick') })
    .then((rs) => {
      for (const r of rs) process.stdout.write(`${line(r)}\n`);
    })
    .catch((err) => {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exitCode = 1;
    });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
