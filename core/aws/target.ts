import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors';
import { formatProblem, parseManifestText } from '../manifest';
import type { WorkflowTarget } from './workflows';

/**
 * The workflow a command names: a workflow name, or a workflow manifest file (its `name` and `workspace`).
 * `--workspace` and `--state-machine-arn` refine it.
 */
export async function resolveTarget(
  nameOrFile: string,
  opts: { workspace?: string; stateMachineArn?: string } = {},
): Promise<WorkflowTarget> {
  if (!/\.ya?ml$/i.test(nameOrFile) || !existsSync(nameOrFile)) {
    return { workflow: nameOrFile, workspace: opts.workspace, stateMachineArn: opts.stateMachineArn };
  }
  // Only the file's own validity matters here (its depots are resolved where it runs, not by start/status).
  const { manifests, problems } = parseManifestText(await readFile(nameOrFile, 'utf8'), nameOrFile);
  const first = problems[0];
  if (first) throw new InvalidInputError(formatProblem(first));
  const workflows = manifests.filter((m) => m.type === 'workflow');
  const [wf, other] = workflows;
  if (!wf || other)
    throw new InvalidInputError(`${nameOrFile}: expected exactly one workflow manifest, found ${workflows.length}`);
  return {
    workflow: wf.name,
    workspace: opts.workspace ?? wf.workspace ?? 'public',
    stateMachineArn: opts.stateMachineArn,
  };
}
