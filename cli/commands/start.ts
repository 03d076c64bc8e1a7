import { resolveTarget } from '../../core/aws/target';
import { defaultSfnClient, startWorkflow } from '../../core/aws/workflows';
import { InvalidInputError } from '../../core/errors';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';

const HELP = `usage: icefloe start <workflow|workflow.yaml> [--input JSON] [--workspace W] [--state-machine-arn ARN] [--region R] [--json]

Starts an execution of a deployed workflow, as the Step Functions console's "Start execution" does,
named <workflow>-<yyyymmddThhmmss>-<rand> (UTC). The state machine is icefloe-<workspace>-<workflow>
(found by name; --workspace disambiguates) unless --state-machine-arn is given. A workflow manifest
file may stand for the workflow: its name and workspace are used.

options:
  --input JSON              execution input (default {})
  --workspace W             the workflow's workspace
  --state-machine-arn ARN   skip the lookup
  --region R                AWS region (default: AWS_REGION / profile)
  --json                    print {"executionArn","name","startDate"}

examples:
  icefloe start nb-lh-aws-test-01 --workspace research
  icefloe start examples/seeds/aws-lakehouse-workflow.yaml
  icefloe start nb-lh-aws-test-01 --input '{"fullRefresh":true}'`;

/** `icefloe start <workflow>`: StartExecution; prints the execution ARN. */
export const command: Command = {
  summary: 'start an execution of a deployed workflow (Step Functions StartExecution)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      input: { type: 'string' },
      workspace: { type: 'string' },
      'state-machine-arn': { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [workflow, extra] = positionals;
    if (!workflow || extra !== undefined) throw new InvalidInputError('start needs exactly one workflow name');
    const target = await resolveTarget(workflow, {
      workspace: values.workspace,
      stateMachineArn: values['state-machine-arn'],
    });
    const started = await startWorkflow(defaultSfnClient(values.region), { ...target, input: values.input });
    io.stdout.write(
      values.json ? `${JSON.stringify(started)}\n` : `started ${started.name}\n${started.executionArn}\n`,
    );
    return 0;
  },
};
