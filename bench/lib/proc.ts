/** Child processes of the benchmarks: wall time and peak resident memory (GNU time's maximum RSS). */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The CLI entry point of a fresh clone (`npx icefloe` runs it). */
export const ICEFLOE_BIN = join(__dirname, '..', '..', 'bin', 'icefloe.js');

/**
 * Runs `node args…` under `/usr/bin/time -f %M` and resolves with its wall time and peak RSS in bytes (the
 * maximum resident set of the process; worker threads share it). Rejects on a non-zero exit, with stderr's tail.
 */
export function peakRss(args: string[], cwd: string): Promise<{ seconds: number; rssBytes: number; stdout: string }> {
  const out = join(cwd, `time-${process.pid}-${Date.now()}.txt`);
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/time',
      ['-f', '%M', '-o', out, process.execPath, ...args],
      { cwd, maxBuffer: 64 * 2 ** 20 },
      (err, stdout, stderr) => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        if (err)
          return reject(new Error(`node ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
        const kib = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
        rmSync(out, { force: true });
        resolve({ seconds, rssBytes: kib * 1024, stdout });
      },
    );
  });
}

/** Seconds from spawning `node -e code` until it exits (code requires a module and exits at once). */
export function spawnSeconds(code: string, env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (c) =>
      c === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e9) : reject(new Error(`node -e: ${err.trim()}`)),
    );
  });
}

/** The median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Linux's USER_HZ: the unit of /proc/stat (100 on every Linux ABI node runs on). */
const USER_HZ = 100;

/**
 * Busy CPU seconds of the whole machine so far, summed over cores (/proc/stat: user, nice, system, irq, softirq,
 * steal). Differences between two readings over a wall interval give the cores kept busy: this process, its worker
 * threads, the PostgreSQL backends it talks to, and anything else running (benchmarks run on an idle machine).
 * Undefined where /proc/stat is not readable.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
    return Number.isFinite(busy) ? busy / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}
