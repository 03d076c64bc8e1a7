/**
 * Loads the workflow a command names by file, together with the manifests it refers to (a folder, by default
 * the workflow file's own). Any manifest problem is bad input (exit 2), listed as `file:line:col: message`.
 */
import { dirname, resolve } from 'node:path';
import { InvalidInputError } from '../errors';
import { formatProblem, loadManifests } from '../manifest';
import type { ManifestSet, WorkflowManifest } from '../manifest/types';

export interface LoadedWorkflow {
  set: ManifestSet;
  workflow: WorkflowManifest;
}

/** The first workflow manifest of `workflowFile`, with every manifest of `manifestsDir` (default: its folder). */
export async function loadWorkflow(workflowFile: string, manifestsDir?: string): Promise<LoadedWorkflow> {
  const file = resolve(workflowFile);
  const dir = resolve(manifestsDir ?? dirname(file));
  const { set, problems } = await loadManifests([dir, file]);
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).map((p) => formatProblem(p));
    const more = problems.length > 20 ? `\n… and ${problems.length - 20} more` : '';
    throw new InvalidInputError(`${shown.join('\n')}${more}`);
  }
  const workflow = set.workflows.find((w) => resolve(w.source.file) === file);
  if (!workflow) throw new InvalidInputError(`${workflowFile}: no 'type: workflow' manifest in this file`);
  return { set, workflow };
}
