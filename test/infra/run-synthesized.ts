/**
 * Runs the quickstart twice with the local engine, in a plain Node process (PGlite needs real dynamic import,
 * which jest's VM lacks): once with the definition CDK synthesized (token ARNs mapped to the local tasks), once
 * with the definition `icefloe run` generates. Prints both summaries as JSON. Used by synthesized-definition.test.ts.
 *   tsx test/infra/run-synthesized.ts <copy-for-template> <copy-for-run>
 */
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { runWorkflowLocally } from '../../core/engine';
import { loadManifests } from '../../core/manifest';
import type { TaskName } from '../../lib/constructs/task-function';
import { buildIcefloeApp } from '../../lib/icefloe-app';
import type { AslDefinition } from '../../statemachines';
import { aslProblems, deployedDefinition } from './synth';

const TASK_OF_SUBSTITUTION: Record<string, TaskName> = {
  PlanFunctionArn: 'plan',
  MoveFunctionArn: 'move',
  CommitFunctionArn: 'commit',
  CleanupFunctionArn: 'cleanup',
};

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

async function synthesized(dir: string) {
  const { set } = await loadManifests([dir]);
  const app = new App({ outdir: join(dir, 'cdk.out') });
  const code = () => lambda.Code.fromInline('exports.handler = async () => ({});');
  const { workflows } = buildIcefloeApp(app, set, { code, nag: false });
  const template = app.synth().getStackByName(workflows[0]!.stackName).template as { Resources: Resources };
  const machine = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine' && !String(r.Properties.StateMachineName).endsWith('-guard'),
  )!;
  const definition = deployedDefinition(machine.Properties as never) as AslDefinition;
  const subs = machine.Properties.DefinitionSubstitutions as Record<string, { 'Fn::GetAtt': [string, string] }>;
  const resources: Record<string, TaskName> = {};
  for (const [name, task] of Object.entries(TASK_OF_SUBSTITUTION)) {
    resources[`arn:aws:lambda:eu-west-1:123456789012:function:${subs[name]!['Fn::GetAtt'][0]}`] = task;
  }
  return { set, definition, resources, aslProblems: aslProblems(definition) ?? null };
}

async function run(dir: string, extra: object) {
  const { set } = await loadManifests([dir]);
  const summary = await runWorkflowLocally({
    manifests: set,
    workflow: set.workflows[0]!,
    stagingRoot: join(dir, '.icefloe'),
    parallelism: 0,
    runId: 'compare-1',
    ...extra,
  });
  return {
    status: summary.status,
    error: summary.error ?? null,
    jobs: summary.jobs.map((j) => [j.job, j.status, j.chunks, j.rowsRead, j.rowsWritten, j.rowsDeleted]),
  };
}

async function main(): Promise<void> {
  const [templateDir, runDir] = process.argv.slice(2) as [string, string];
  const s = await synthesized(templateDir);
  const fromTemplate = await run(templateDir, { definition: s.definition, resources: s.resources });
  const fromRun = await run(runDir, {});
  process.stdout.write(`${JSON.stringify({ aslProblems: s.aslProblems, fromTemplate, fromRun })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
