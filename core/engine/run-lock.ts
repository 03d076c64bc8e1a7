/**
 * Local runs of one workflow and its `schedule.concurrencyPolicy` (on AWS, lib/constructs/workflow-schedule.ts
 * does the same for scheduled executions). A run holds a per-workflow lock file in the local state folder
 * (`<stagingRoot>/locks/<workspace>.<workflow>.lock`, beside `staging/`), holding its pid, run id and start
 * time. The file is created atomically (written aside, then hard-linked into place: the link fails when the
 * file exists). A lock whose pid is gone (a killed run) is taken over.
 *
 * When the workflow is already running:
 * - `Forbid`: the new run fails at once with RunLockedError naming the workflow and the running run id;
 * - `Allow` (the default): the new run waits for the running one to finish, then runs (runs never interleave);
 * - `Replace`: the new run sends SIGTERM to the running one, waits for it to exit (SIGKILL after
 *   `stopTimeoutMs`), then runs. The stopped run starts no commit after the signal (see cli/commands/run.ts).
 *
 * Under the lock, {@link removeStaleStaging} deletes the staging folders that runs of this workflow left when
 * they were killed: no other run of the workflow can be alive then.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IcefloeError } from '../errors';
import type { WorkflowManifest, WorkflowSchedule } from '../manifest/types';
import { runKeys, safeSegment } from '../movement/staging';

export type ConcurrencyPolicy = WorkflowSchedule['concurrencyPolicy'];

/** Run ids whose lock this process holds (a lock with our pid and another run id is stale: pid reuse). */
const heldHere = new Set<string>();

/** The content of a lock file. */
export interface RunLockInfo {
  workflow: string;
  runId: string;
  pid: number;
  /** ISO-8601 */
  startedAt: string;
}

/** The workflow is running already and its concurrencyPolicy is Forbid. */
export class RunLockedError extends IcefloeError {
  override readonly name: string = 'RunLockedError';
}

export interface RunLockOptions {
  /** The local state folder, e.g. `<cwd>/.icefloe`. */
  stagingRoot: string;
  workflow: WorkflowManifest;
  runId: string;
  /** @default the workflow's `schedule.concurrencyPolicy`, else Allow */
  policy?: ConcurrencyPolicy;
  /** Told once when this run waits for (Allow) or stops (Replace) a running one. */
  onBusy?: (holder: RunLockInfo, policy: ConcurrencyPolicy) => void;
  /** @default 200 */
  pollMs?: number;
  /** Replace: SIGKILL when the stopped run has not exited after this long. @default 30000 */
  stopTimeoutMs?: number;
}

/** A held lock. */
export interface RunLock {
  path: string;
  info: RunLockInfo;
  /** Removes the lock file if it is still ours (idempotent, synchronous: safe in an exit handler). */
  release(): void;
}

/** `<workspace>.<name>` of a workflow. */
export function workflowKey(wf: WorkflowManifest): string {
  return `${wf.workspace ?? 'public'}.${wf.name}`;
}

/** The lock file of a workflow. */
export function lockPathOf(stagingRoot: string, wf: WorkflowManifest): string {
  return join(stagingRoot, 'locks', `${safeSegment(workflowKey(wf))}.lock`);
}

/** True while a process with this pid exists (EPERM: it exists but is not ours). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): RunLockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as RunLockInfo;
    return typeof v.pid === 'number' && typeof v.runId === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the lock file with its full content in one step; false when it exists. */
function tryCreate(path: string, info: RunLockInfo): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`);
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    // no hard links on this file system: an exclusive create (readers may see it half-written for a moment)
    try {
      writeFileSync(path, `${JSON.stringify(info)}\n`, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Removes a lock whose owner is dead, unless it changed meanwhile. A `.takeover` guard file keeps two new runs
 * from both removing it (the second would remove the first one's fresh lock).
 */
function removeStale(path: string, stale: RunLockInfo): void {
  const guard = `${path}.takeover`;
  try {
    writeFileSync(guard, String(process.pid), { flag: 'wx' });
  } catch {
    let owner = 0;
    try {
      owner = Number(readFileSync(guard, 'utf8').trim() || 0);
    } catch {
      return; // the other run finished its takeover meanwhile
    }
    if (!pidAlive(owner)) rmQuiet(guard);
    return;
  }
  try {
    const now = readLock(path);
    if (now && now.pid === stale.pid && now.runId === stale.runId) rmQuiet(path);
  } finally {
    rmQuiet(guard);
  }
}

function rmQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The policy a workflow declares (Allow without a schedule). */
export function concurrencyPolicyOf(wf: WorkflowManifest): ConcurrencyPolicy {
  return wf.workflow.schedule?.concurrencyPolicy ?? 'Allow';
}

/** Takes the workflow's run lock, applying its concurrency policy to a run that holds it. */
export async function acquireRunLock(o: RunLockOptions): Promise<RunLock> {
  const path = lockPathOf(o.stagingRoot, o.workflow);
  mkdirSync(join(o.stagingRoot, 'locks'), { recursive: true });
  const policy = o.policy ?? concurrencyPolicyOf(o.workflow);
  const info: RunLockInfo = {
    workflow: workflowKey(o.workflow),
    runId: o.runId,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  const pollMs = o.pollMs ?? 200;
  const told = new Set<string>();
  let unreadable = 0;
  for (;;) {
    if (tryCreate(path, info)) break;
    const holder = readLock(path);
    if (!holder) {
      // removed between the two calls (retry at once), being written, or damaged: removed when it stays so
      if (readLockRaw(path) !== undefined && ++unreadable >= 10) {
        rmQuiet(path);
        unreadable = 0;
      }
      if (unreadable > 0) await sleep(pollMs);
      continue;
    }
    unreadable = 0;
    if (!pidAlive(holder.pid) || (holder.pid === process.pid && !heldHere.has(holder.runId))) {
      removeStale(path, holder);
      continue;
    }
    if (policy === 'Forbid')
      throw new RunLockedError(
        `workflow ${info.workflow} is already running (run ${holder.runId}, pid ${holder.pid}, since ${holder.startedAt}); its concurrencyPolicy is Forbid`,
      );
    if (!told.has(holder.runId)) {
      told.add(holder.runId);
      o.onBusy?.(holder, policy);
      if (policy === 'Replace') await stop(holder.pid, o.stopTimeoutMs ?? 30_000, pollMs);
    }
    await sleep(pollMs);
  }
  heldHere.add(info.runId);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldHere.delete(info.runId);
    process.removeListener('exit', release);
    const now = readLock(path);
    if (now && now.pid === info.pid && now.runId === info.runId) rmQuiet(path);
  };
  process.once('exit', release);
  return { path, info, release };
}

function readLockRaw(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** SIGTERM, wait for the process to exit, SIGKILL after the timeout. */
async function stop(pid: number, timeoutMs: number, pollMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // gone already
  }
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sleep(Math.min(pollMs, 50));
  }
}

/**
 * Deletes the local staging of this workflow's jobs left by runs other than `currentRunId`. Call it while
 * holding the workflow's run lock: no other run of the workflow is alive then, so what is there was left by
 * killed runs (a run that ends cleans up its own staging). Returns the removed `<job>/<run>` folders.
 */
export async function removeStaleStaging(
  stagingRoot: string,
  wf: WorkflowManifest,
  currentRunId: string,
): Promise<string[]> {
  const removed: string[] = [];
  const current = safeSegment(currentRunId);
  for (const node of wf.workflow.dag) {
    const jobId = `${workflowKey(wf)}.${node.name}`;
    const jobDir = join(stagingRoot, runKeys(jobId, 'x').base, '..');
    let runs: string[];
    try {
      runs = await fs.readdir(jobDir);
    } catch {
      continue;
    }
    for (const run of runs) {
      if (run === current) continue;
      const held = await holdsFiles(join(jobDir, run));
      await fs.rm(join(jobDir, run), { recursive: true, force: true });
      if (held) removed.push(`${safeSegment(jobId)}/${run}`); // an empty folder is what a finished run leaves
    }
    await fs.rmdir(jobDir).catch(() => undefined);
  }
  return removed;
}

/**
 * The cleanup step for a whole local state folder (after crashes, or from maintenance): removes the staging
 * of every workflow that is not running now, i.e. whose run lock is absent or held by a dead process. Runs
 * started through the API (`runWorkflowLocally`) take no lock; `olderThanMs` keeps run folders changed more
 * recently than that. Returns the removed `<job>/<run>` folders.
 */
export async function removeStaleStagingAll(stagingRoot: string, olderThanMs = 0): Promise<string[]> {
  const root = join(stagingRoot, 'staging');
  const removed: string[] = [];
  let jobs: string[];
  try {
    jobs = await fs.readdir(root);
  } catch {
    return removed;
  }
  const cutoff = Date.now() - olderThanMs;
  for (const job of jobs) {
    const key = job.slice(0, Math.max(0, job.lastIndexOf('.')));
    const holder = readLock(join(stagingRoot, 'locks', `${key}.lock`));
    if (holder && pidAlive(holder.pid)) continue; // that workflow is running: its staging is in use
    const jobDir = join(root, job);
    for (const run of await fs.readdir(jobDir).catch(() => [] as string[])) {
      if ((await newestChange(join(jobDir, run))) > cutoff) continue;
      const held = await holdsFiles(join(jobDir, run));
      await fs.rm(join(jobDir, run), { recursive: true, force: true });
      if (held) removed.push(`${job}/${run}`);
    }
    await fs.rmdir(jobDir).catch(() => undefined);
  }
  return removed;
}

/** Whether a folder holds any file below it (a run that finished leaves only empty folders). */
async function holdsFiles(path: string): Promise<boolean> {
  for (const e of await fs.readdir(path, { withFileTypes: true }).catch(() => [])) {
    if (!e.isDirectory() || (await holdsFiles(join(path, e.name)))) return true;
  }
  return false;
}

/** The newest modification time (ms) of a folder and everything below it. */
async function newestChange(path: string): Promise<number> {
  const st = await fs.stat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of await fs.readdir(path).catch(() => [] as string[]))
    newest = Math.max(newest, await newestChange(join(path, e)));
  return newest;
}
