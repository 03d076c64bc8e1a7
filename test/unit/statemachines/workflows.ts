/** Typed workflow manifests for the state machine, engine and task tests (built in code, no YAML parser needed). */
import type { DagNode, Endpoint, JobOptions, RetryPolicy, WorkflowManifest } from '../../../core/manifest/types';

const pos = { file: 'workflow.yaml', line: 1, col: 1 };

/** An endpoint `dataos://<depot>[:<collection>[/<dataset>]]` with options. */
export function endpoint(address: string, options: JobOptions = {}): Endpoint {
  const m = /^dataos:\/\/([^:/]+)(?::([^/]+)(?:\/(.+))?)?$/.exec(address);
  return { address, depot: m?.[1] ?? address, collection: m?.[2], dataset: m?.[3], options };
}

/** A DAG node moving `source` to `sink`. */
export function job(
  name: string,
  source: Endpoint,
  sink: Endpoint,
  dependencies: string[] = [],
  retry?: RetryPolicy,
): DagNode {
  return { name, spec: { stack: 'nilus:1.0', stackSpec: { source, sink } }, dependencies, retry, source: pos };
}

/** A workflow manifest holding `dag`. */
export function workflow(name: string, dag: DagNode[], workspace = 'public'): WorkflowManifest {
  return { type: 'workflow', name, version: 'v1', workspace, source: pos, workflow: { dag } };
}

/** The seed's sample workflow (seeds/000: nb-lh-aws-test-01), as the manifest parser normalizes it. */
export function seedWorkflow(): WorkflowManifest {
  const node = job(
    'nb-job-01',
    endpoint('dataos://testawslh', { sourceTable: 'sales.orders' }),
    endpoint('dataos://postgres_depot', {
      destTable: 'retail.orders',
      incrementalStrategy: 'merge',
      primaryKey: ['order_id'],
    }),
  );
  node.spec.compute = 'runnable-default';
  node.spec.logLevel = 'INFO';
  node.spec.resources = { requests: { cpu: 500, memoryMiB: 512 } };
  const wf = workflow('nb-lh-aws-test-01', [node], 'research');
  wf.tags = ['workflow', 'nilus-batch'];
  wf.description = 'Nilus Batch Workflow Sample for AWS Lakehouse';
  return wf;
}
