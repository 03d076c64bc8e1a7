import { cdkArgs, runCdk } from '../../core/aws/deploy';
import { InvalidInputError } from '../../core/errors';
import { formatProblem, loadManifests } from '../../core/manifest';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';

const HELP = `usage: icefloe deploy [--manifests DIR] [--synth | --diff] [--allow-data-destroy] [--yes]

Deploys the manifests to AWS with the pinned CDK CLI (cdk deploy --all): one stack per S3 lakehouse
(encrypted warehouse bucket, VPC endpoints, read/read-write roles, secrets, Glue catalog, Athena),
one for depot secrets, one per workflow (task functions, state machine, schedule, alarm).
Credentials and region come from the usual AWS environment/profile. The manifests are validated first.

options:
  --manifests DIR        folder of manifests (default examples/quickstart)
  --synth                only synthesize the templates into cdk.out (offline)
  --diff                 show what would change
  --allow-data-destroy   let stack deletion delete buckets and keys (context lakehouse:allowDataDestroy)
  --yes                  do not ask before security-relevant changes (--require-approval never)

Secret values are never part of a template: put them after the first deploy, e.g.
  aws secretsmanager put-secret-value --secret-id icefloe/postgres-depot-rw --secret-string '{"username":"…","password":"…"}'

See docs/deploy.md.`;

/** `icefloe deploy`: validate the manifests, then run `cdk deploy --all` with them as context. */
export const command: Command = {
  summary: 'deploy the manifests to AWS with the CDK (lakehouse and workflow stacks)',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      manifests: { type: 'string' },
      synth: { type: 'boolean' },
      diff: { type: 'boolean' },
      'allow-data-destroy': { type: 'boolean' },
      yes: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new InvalidInputError(`deploy takes no arguments, got '${positionals[0]}'`);
    if (values.synth && values.diff) throw new InvalidInputError('--synth and --diff exclude each other');
    const manifests = values.manifests ?? 'examples/quickstart';
    const { problems } = await loadManifests([manifests]);
    if (problems.length > 0) {
      for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
      return 2;
    }
    const action = values.synth ? 'synth' : values.diff ? 'diff' : 'deploy';
    const code = await runCdk(
      cdkArgs({ manifests, action, allowDataDestroy: values['allow-data-destroy'], yes: values.yes }),
    );
    return code === 0 ? 0 : 1;
  },
};
