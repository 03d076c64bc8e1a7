/**
 * Crash points for the chaos runs. `ICEFLOE_CRASH_AT` names where the process SIGKILLs itself:
 *
 * - `plan`           after the sink prepared the target (table / staging created), before the chunk list exists
 * - `move:K`         after the K-th chunk was staged (K >= 1)
 * - `precommit`      every chunk staged, the sink's commit not yet called
 * - `commit:inside`  at the sink's commit point itself: Iceberg, the new `vN.metadata.json` is created but the
 *                    version hint not yet written; Postgres, every statement of the commit transaction ran but
 *                    `COMMIT` was not sent (the server rolls the transaction back when the connection dies)
 * - `commit:after`   the sink's commit returned (data + job state committed), the engine has not recorded it
 * - `commit:mid:MS`  MS milliseconds into the sink's commit (whatever it was doing then)
 *
 * SIGKILL, not an exception: nothing in the process gets to clean up, as with a lost Lambda or an OOM kill.
 * A line `CRASH <point>` goes to stderr first so the parent knows the kill was the planned one.
 */

/** The parsed crash point of this process (undefined: no crash). */
export interface CrashPlan {
  point: 'plan' | 'move' | 'precommit' | 'commit:inside' | 'commit:after' | 'commit:mid';
  /** Chunk number for `move`, delay in ms for `commit:mid`. */
  n: number;
}

/** Parses `ICEFLOE_CRASH_AT`. */
export function parseCrashAt(text: string | undefined): CrashPlan | undefined {
  if (!text) return undefined;
  const m = /^(plan|precommit|commit:inside|commit:after)$|^move:(\d+)$|^commit:mid:(\d+)$/.exec(text);
  if (!m) throw new Error(`ICEFLOE_CRASH_AT: unknown crash point ${text}`);
  if (m[1]) return { point: m[1] as CrashPlan['point'], n: 0 };
  if (m[2]) return { point: 'move', n: Number(m[2]) };
  return { point: 'commit:mid', n: Number(m[3]) };
}

const plan = parseCrashAt(process.env.ICEFLOE_CRASH_AT);
let staged = 0;

function die(what: string): never {
  process.stderr.write(`CRASH ${what}\n`);
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL to ourselves does not return; keep the types honest if it ever did.
  throw new Error('unreachable');
}

/** Called at each hook point by the instrumented connectors. */
export function crashPoint(at: 'plan' | 'staged' | 'commit:start' | 'commit:inside' | 'commit:done'): void {
  if (!plan) return;
  if (at === 'commit:inside' && plan.point === 'commit:inside') die('commit:inside');
  if (at === 'plan' && plan.point === 'plan') die('plan');
  if (at === 'staged' && plan.point === 'move' && ++staged === plan.n) die(`move:${plan.n}`);
  if (at === 'commit:start' && plan.point === 'precommit') die('precommit');
  if (at === 'commit:start' && plan.point === 'commit:mid') setTimeout(() => die(`commit:mid:${plan.n}`), plan.n);
  if (at === 'commit:done' && plan.point === 'commit:after') die('commit:after');
}

/**
 * A rendezvous for concurrency cases: with `ICEFLOE_HOLD_DIR` set, a run that reaches its commit writes
 * `<dir>/held-<pid>` and waits until `<dir>/release` exists, so two runs can be made to overlap exactly
 * (both planned from the same job state, both about to commit).
 */
export async function holdPoint(): Promise<void> {
  const dir = process.env.ICEFLOE_HOLD_DIR;
  if (!dir) return;
  const { existsSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  writeFileSync(join(dir, `held-${process.pid}`), '');
  for (let i = 0; i < 3000 && !existsSync(join(dir, 'release')); i++) await new Promise((r) => setTimeout(r, 20));
}
