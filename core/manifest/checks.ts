import { allDepots } from './address';
import { closest } from './suggest';
import type {
  DagNode,
  DepotManifest,
  Endpoint,
  JobOptions,
  Manifest,
  ManifestSet,
  Problem,
  WorkflowManifest,
} from './types';
import { positionOf, type SourceDoc, type YamlPath } from './yaml-source';

/** Where each manifest came from, so cross-manifest problems point at the right node. */
export type SourceLookup = (m: Manifest) => SourceDoc | undefined;

type Report = (m: Manifest, path: YamlPath, message: string, opts?: { key?: boolean }) => void;

/**
 * Checks that span manifests: unique names, secrets that exist, DAG names unique, dependencies that exist
 * and form no cycle, addresses that resolve to depots, and sink options that fit the sink's depot type.
 */
export function crossChecks(set: ManifestSet, sourceOf: SourceLookup): Problem[] {
  const problems: Problem[] = [];
  const report: Report = (m, path, message, opts = {}) => {
    const src = sourceOf(m);
    problems.push({ ...(src ? positionOf(src, path, opts) : m.source), message });
  };
  checkUniqueNames(set, report);
  checkSecretRefs(set, report);
  for (const wf of set.workflows) checkWorkflow(set, wf, report);
  return problems;
}

function checkUniqueNames(set: ManifestSet, report: Report): void {
  const seen = new Map<string, Manifest>();
  for (const m of set.manifests) {
    const key = `${m.type}/${m.name}`;
    if (seen.has(key)) report(m, ['name'], `duplicate ${m.type} '${m.name}' (also in ${seen.get(key)?.source.file})`);
    else seen.set(key, m);
  }
  const depotNames = new Map<string, DepotManifest>();
  for (const d of allDepots(set)) {
    const prev = depotNames.get(d.name);
    const owner = set.manifests.find((m) => m.source === d.source) ?? d;
    if (prev && prev.source !== d.source)
      report(owner, ['name'], `depot '${d.name}' is defined twice (also in ${prev.source.file})`);
    depotNames.set(d.name, d);
  }
}

function checkSecretRefs(set: ManifestSet, report: Report): void {
  const names = set.secrets.map((s) => s.name);
  const check = (m: Manifest, refs: { name: string }[], path: YamlPath) => {
    refs.forEach((r, i) => {
      if (names.includes(r.name)) return;
      const hint = closest(r.name, names);
      report(
        m,
        [...path, i, 'name'],
        `unknown instance-secret '${r.name}'${hint ? `; did you mean '${hint}'?` : ''} (declare it with type: instance-secret and an acl)`,
      );
    });
  };
  for (const lh of set.lakehouses) {
    const s3 = lh.lakehouse.storage.s3;
    if (s3) check(lh, s3.secrets, ['lakehouse', 'iceberg', 'storage']);
  }
  for (const d of set.depots) check(d, d.depot.secrets, ['depot', 'secrets']);
}

function checkWorkflow(set: ManifestSet, wf: WorkflowManifest, report: Report): void {
  const dag = wf.workflow.dag;
  const byName = new Map<string, number>();
  dag.forEach((n, i) => {
    if (byName.has(n.name)) report(wf, ['workflow', 'dag', i, 'name'], `workflow.dag: duplicate job name '${n.name}'`);
    else byName.set(n.name, i);
  });
  dag.forEach((n, i) => {
    n.dependencies.forEach((dep, j) => {
      if (byName.has(dep) && dep !== n.name) return;
      const msg =
        dep === n.name ? `job '${n.name}' depends on itself` : `job '${n.name}' depends on unknown job '${dep}'`;
      const hint = dep === n.name ? undefined : closest(dep, [...byName.keys()]);
      report(wf, ['workflow', 'dag', i, 'dependencies', j], `${msg}${hint ? `; did you mean '${hint}'?` : ''}`);
    });
    checkEndpoints(set, wf, n, i, report);
  });
  const cycle = findCycle(dag);
  if (cycle) {
    const at = byName.get(cycle[0] as string) ?? 0;
    report(wf, ['workflow', 'dag', at, 'dependencies'], `dependency cycle: ${cycle.join(' → ')}`, { key: true });
  }
}

/** The first dependency cycle, as job names from a job back to itself; undefined when the DAG is acyclic. */
export function findCycle(dag: readonly DagNode[]): string[] | undefined {
  const deps = new Map(dag.map((n) => [n.name, n.dependencies]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const d of deps.get(name) ?? []) {
      if (d === name || !deps.has(d)) continue; // reported separately
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const n of dag) {
    const c = visit(n.name);
    if (c) return c;
  }
  return undefined;
}

const SINK_ONLY: (keyof JobOptions)[] = [
  'destTable',
  'incrementalStrategy',
  'partitionBy',
  'clusterBy',
  'loaderFileSize',
  'stagingBucket',
  'fullRefresh',
];
const SOURCE_ONLY: (keyof JobOptions)[] = [
  'sourceTable',
  'sourceQuery',
  'pageSize',
  'extractParallelism',
  'intervalStart',
  'intervalEnd',
  'sqlReflectionLevel',
  'sqlLimit',
  'sqlExcludeColumns',
  'yieldLimit',
];
const TABLE_RE = /^[A-Za-z_][\w$]*\.[A-Za-z_][\w$]*$/;

function checkEndpoints(set: ManifestSet, wf: WorkflowManifest, n: DagNode, i: number, report: Report): void {
  const base = ['workflow', 'dag', i, 'spec', 'stackSpec'];
  const depots = allDepots(set);
  for (const role of ['source', 'sink'] as const) {
    const e = n.spec.stackSpec[role];
    const path = [...base, role];
    if (e.depot === '') continue; // the address did not parse; already reported
    const depot = depots.find((d) => d.name === e.depot);
    if (!depot) {
      const hint = closest(
        e.depot,
        depots.map((d) => d.name),
      );
      report(
        wf,
        [...path, 'address'],
        `${role}.address: unknown depot '${e.depot}'${hint ? `; did you mean '${hint}'?` : ''}`,
      );
      continue;
    }
    const wrong = role === 'source' ? SINK_ONLY : SOURCE_ONLY;
    for (const k of wrong) {
      if (e.options[k] !== undefined)
        report(
          wf,
          [...path, 'options'],
          `${role}.options: '${k}' is a ${role === 'source' ? 'sink' : 'source'} option`,
          { key: true },
        );
    }
    if (role === 'source') checkSource(depot, e, path, (p, m) => report(wf, p, m));
    else checkSink(depot, e, path, (p, m, o) => report(wf, p, m, o));
  }
}

function checkSource(
  depot: DepotManifest,
  e: Endpoint,
  path: YamlPath,
  report: (p: YamlPath, m: string) => void,
): void {
  const o = e.options;
  if (!o.sourceTable && !o.sourceQuery && !e.dataset)
    report([...path, 'options'], "source.options: missing 'source-table' (schema.table or query:<SQL>)");
  if (o.sourceQuery && depot.depot.type !== 'postgresql')
    report(
      [...path, 'options'],
      `source.options: 'source-table: query:' needs a postgresql depot; '${depot.name}' is ${depot.depot.type}`,
    );
  if (o.sourceTable && depot.depot.type !== 'generator' && !TABLE_RE.test(o.sourceTable))
    report([...path, 'options'], `source.options: source-table '${o.sourceTable}' is not schema.table`);
  if (depot.depot.type === 's3')
    report(
      [...path, 'address'],
      `source.address: depot '${depot.name}' of type s3 cannot be a source (use a lakehouse)`,
    );
}

function checkSink(
  depot: DepotManifest,
  e: Endpoint,
  path: YamlPath,
  report: (p: YamlPath, m: string, o?: { key?: boolean }) => void,
): void {
  const o = e.options;
  const type = depot.depot.type;
  if (type !== 'lakehouse' && type !== 'postgresql') {
    report(
      [...path, 'address'],
      `sink.address: depot '${depot.name}' of type ${type} cannot be a sink (use a lakehouse or postgresql depot)`,
    );
    return;
  }
  if (!o.destTable && !e.dataset) report([...path, 'options'], "sink.options: missing 'dest-table' (schema.table)");
  if (o.destTable && !TABLE_RE.test(o.destTable))
    report([...path, 'options'], `sink.options: dest-table '${o.destTable}' is not schema.table`);
  if (o.incrementalStrategy === 'merge' && !o.primaryKey) {
    report([...path, 'options'], "sink.options: incremental-strategy merge requires 'primary-key'");
  }
  if (type === 'postgresql' && o.partitionBy)
    report(
      [...path, 'options'],
      `sink.options: 'partition-by' applies to lakehouse sinks; '${depot.name}' is postgresql`,
    );
  if (type === 'lakehouse' && o.clusterBy)
    report(
      [...path, 'options'],
      `sink.options: 'cluster-by' applies to postgresql sinks; '${depot.name}' is a lakehouse`,
    );
}
