import { loadWorkflow } from '../../core/engine/load-workflow';
import { InvalidInputError } from '../../core/errors';
import { workflowDefinition } from '../../statemachines';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';

/** `icefloe plan <workflow.yaml> [--manifests DIR]`: prints the workflow's state machine (ASL JSON). */
export const command: Command = {
  summary: 'print the Step Functions state machine (ASL JSON) of a workflow',
  help: [
    'usage: icefloe plan <workflow.yaml> [--manifests DIR]',
    '',
    'Prints the Amazon States Language definition deployed for the workflow: per job Plan -> Distributed Map',
    '(Move) -> Commit, independent jobs in parallel. Function ARNs and the staging bucket are placeholders.',
    '',
    'options:',
    "  --manifests DIR   folder of the depots, lakehouses and secrets (default: the workflow file's folder)",
    '',
    'example: icefloe plan examples/quickstart/workflow.yaml > state-machine.json',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { manifests: { type: 'string' } });
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new InvalidInputError('usage: icefloe plan <workflow.yaml> [--manifests DIR]');
    const { workflow } = await loadWorkflow(file, values.manifests);
    io.stdout.write(`${JSON.stringify(workflowDefinition(workflow), null, 2)}\n`);
    return 0;
  },
};
