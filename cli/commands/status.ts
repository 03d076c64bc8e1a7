import { resolveTarget } from '../../core/aws/target';
import { defaultSfnClient, formatExecutions, recentExecutions } from '../../core/aws/workflows';
import { InvalidInputError } from '../../core/errors';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';

const HELP = `usage: icefloe status <workflow|workflow.yaml> [--limit N] [--workspace W] [--state-machine-arn ARN] [--region R] [--json]

Lists the recent executions of a deployed workflow (Step Functions ListExecutions), newest first:
name, status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED), start, stop, duration.

options:
  --limit N                 how many executions (default 10, at most 1000)
  --workspace W             the workflow's workspace
  --state-machine-arn ARN   skip the lookup
  --region R                AWS region (default: AWS_REGION / profile)
  --json                    print the executions as a JSON array`;

/** `icefloe status <workflow>`: a table of recent executions. */
export const command: Command = {
  summary: 'recent executions of a deployed workflow (Step Functions ListExecutions)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      limit: { type: 'string' },
      workspace: { type: 'string' },
      'state-machine-arn': { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [workflow, extra] = positionals;
    if (!workflow || extra !== undefined) throw new InvalidInputError('status needs exactly one workflow name');
    const limit = values.limit === undefined ? 10 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new InvalidInputError(`--limit must be an integer from 1 to 1000, got '${values.limit}'`);
    }
    const target = await resolveTarget(workflow, {
      workspace: values.workspace,
      stateMachineArn: values['state-machine-arn'],
    });
    const rows = await recentExecutions(defaultSfnClient(values.region), { ...target, maxResults: limit });
    io.stdout.write(values.json ? `${JSON.stringify(rows)}\n` : `${formatExecutions(rows)}\n`);
    return 0;
  },
};
