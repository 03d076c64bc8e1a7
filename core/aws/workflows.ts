/**
 * What the Step Functions console does for a deployed workflow, through the SDK: find its state machine,
 * "Start execution" with a readable name, and list recent executions. The CLI commands are thin wrappers.
 */
import {
  type ExecutionListItem,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { InvalidInputError, NotFoundError } from '../errors';
import { executionName, stateMachineNameOf } from './names';

/** Which state machine: an explicit ARN, or the workflow name (and workspace) as deployed by `icefloe deploy`. */
export interface WorkflowTarget {
  workflow: string;
  workspace?: string;
  stateMachineArn?: string;
}

/** The SFN client of the CLI: region and credentials from the usual AWS environment/profile chain. */
export function defaultSfnClient(region?: string): SFNClient {
  return new SFNClient(region ? { region } : {});
}

/**
 * The ARN of the workflow's state machine. Without `workspace`, any `icefloe-<workspace>-<workflow>` matches;
 * more than one match is an error that lists them.
 */
export async function findStateMachine(client: SFNClient, target: WorkflowTarget): Promise<string> {
  if (target.stateMachineArn) return target.stateMachineArn;
  const exact = target.workspace ? stateMachineNameOf(target.workflow, target.workspace) : undefined;
  const suffix = `-${target.workflow}`;
  const found: { name: string; arn: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ nextToken, maxResults: 1000 }));
    for (const sm of page.stateMachines ?? []) {
      const name = sm.name ?? '';
      const hit = exact ? name === exact : name.startsWith('icefloe-') && name.endsWith(suffix);
      if (hit && sm.stateMachineArn) found.push({ name, arn: sm.stateMachineArn });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const [only, ...others] = found;
  if (!only) {
    throw new NotFoundError(
      `workflow ${target.workflow}: no state machine named ${exact ?? `icefloe-<workspace>${suffix}`}; deploy it with icefloe deploy`,
    );
  }
  if (others.length > 0) {
    throw new InvalidInputError(
      `workflow ${target.workflow}: several state machines match (${found.map((f) => f.name).join(', ')}); pass --workspace`,
    );
  }
  return only.arn;
}

/** Options of {@link startWorkflow}. */
export interface StartOptions extends WorkflowTarget {
  /** Execution input (JSON text). @default '{}' */
  input?: string;
  /** @default new Date() */
  now?: Date;
  /** Random suffix of the execution name (tests). */
  rand?: string;
}

/** A started execution. */
export interface StartedExecution {
  executionArn: string;
  name: string;
  startDate?: Date;
}

/** StartExecution with the name `<workflow>-<yyyymmddThhmmss>-<rand>` (what the console's "Start execution" does). */
export async function startWorkflow(client: SFNClient, opts: StartOptions): Promise<StartedExecution> {
  const input = opts.input ?? '{}';
  try {
    JSON.parse(input);
  } catch (err) {
    throw new InvalidInputError(`--input is not JSON: ${(err as Error).message}`);
  }
  const stateMachineArn = await findStateMachine(client, opts);
  const name = executionName(opts.workflow, opts.now, opts.rand);
  const out = await client.send(new StartExecutionCommand({ stateMachineArn, name, input }));
  return { executionArn: out.executionArn ?? '', name, startDate: out.startDate };
}

/** Recent executions of the workflow, newest first (ListExecutions order). */
export async function recentExecutions(
  client: SFNClient,
  target: WorkflowTarget & { maxResults?: number },
): Promise<ExecutionListItem[]> {
  const stateMachineArn = await findStateMachine(client, target);
  const out = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: target.maxResults ?? 10 }));
  return out.executions ?? [];
}

/** A fixed-width table: name, status, start, stop, duration. */
export function formatExecutions(rows: ExecutionListItem[]): string {
  const lines = [['NAME', 'STATUS', 'STARTED', 'STOPPED', 'DURATION']];
  for (const e of rows) {
    const start = e.startDate;
    const stop = e.stopDate;
    lines.push([
      e.name ?? '',
      e.status ?? '',
      start ? start.toISOString() : '',
      stop ? stop.toISOString() : '',
      start && stop ? `${Math.round((stop.getTime() - start.getTime()) / 1000)}s` : '',
    ]);
  }
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines
    .map((l) =>
      l
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
