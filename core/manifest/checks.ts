import { allDepots, depotEntries, resolveAddress } from './address';
import { spellingOf } from './options';
import { canSee, sourceDocOf, visibleFrom } from './scope';
import { closest } from './suggest';
import type {
  DagNode,
  DepotManifest,
  Endpoint,
  JobOptions,
  Manifest,
  ManifestSet,
  Problem,
  SourcePos,
  WorkflowManifest,
} from './types';
import { positionOf, type YamlPath } from './yaml-source';

type Report = (m: Manifest, path: YamlPath, message: string, opts?: { key?: boolean }) => void;

/**
 * Checks that span manifests: unique names, secrets that exist, DAG names unique, dependencies that exist
 * and form no cycle, addresses that resolve to depots, and sink options that fit the sink's depot type.
 * Names resolve within folder scopes (see `./scope`). `reportOn` filters whose problems are kept.
 */
export function crossChecks(
  set: ManifestSet,
  reportOn: (m: Manifest, path: YamlPath) => boolean = () => true,
): Problem[] {
  const problems: Problem[] = [];
  const report: Report = (m, path, message, opts = {}) => {
    if (!reportOn(m, path)) return;
    const src = sourceDocOf(m);
    problems.push({ ...(src ? positionOf(src, path, opts) : m.source), message });
  };
  checkUniqueNames(set, report);
  checkSecretRefs(set, report);
  checkMetastores(set, report);
  for (const wf of set.workflows) checkWorkflow(visibleFrom(set, wf), wf, report);
  return problems;
}

/** `line N` in the same file, else `file:line`. */
const where = (p: SourcePos, here: SourcePos) => (p.file === here.file ? `line ${p.line}` : `${p.file}:${p.line}`);

const clash = (a: Manifest, b: Manifest) => canSee(a, b) || canSee(b, a);

function checkUniqueNames(set: ManifestSet, report: Report): void {
  const all = set.manifests;
  all.forEach((m, j) => {
    const prev = all.slice(0, j).find((p) => p.type === m.type && p.name === m.name && clash(p, m));
    if (prev) report(m, ['name'], `duplicate ${m.type} '${m.name}' (also at ${where(prev.source, m.source)})`);
  });
  const entries = depotEntries(set);
  entries.forEach((e, j) => {
    const prev = entries.slice(0, j).find((p) => p.depot.name === e.depot.name && clash(p.owner, e.owner));
    if (!prev || (prev.owner.type === e.owner.type && prev.owner.name === e.owner.name)) return;
    const path = e.owner.type === 'lakehouse' ? ['lakehouse', 'iceberg', 'storage', 'depotName'] : ['name'];
    report(
      e.owner,
      path,
      `depot '${e.depot.name}' is defined twice (also at ${where(prev.owner.source, e.owner.source)})`,
    );
  });
}

function checkSecretRefs(set: ManifestSet, report: Report): void {
  const check = (m: Manifest, refs: { name: string }[], path: YamlPath) => {
    const names = visibleFrom(set, m).secrets.map((s) => s.name);
    refs.forEach((r, i) => {
      if (names.includes(r.name)) return;
      const hint = closest(r.name, names);
      const msg = `unknown instance-secret '${r.name}'${hint ? `; did you mean '${hint}'?` : ''} (declare it with type: instance-secret and an acl)`;
      report(m, [...path, i, 'name'], msg);
    });
  };
  for (const lh of set.lakehouses) {
    const s3 = lh.lakehouse.storage.s3;
    if (!s3) continue;
    // The seed writes the secrets inside `s3:`, the DataOS reference beside it; point at whichever exists.
    const raw = rawAt(sourceDocOf(lh)?.value, ['lakehouse', 'iceberg', 'storage', 's3', 'secrets']);
    check(lh, s3.secrets, ['lakehouse', 'iceberg', 'storage', ...(raw ? ['s3'] : []), 'secrets']);
  }
  for (const d of set.depots) check(d, d.depot.secrets, ['depot', 'secrets']);
  for (const wf of set.workflows) {
    wf.workflow.dag.forEach((n, i) => {
      if (n.spec.dataosSecrets) check(wf, n.spec.dataosSecrets, ['workflow', 'dag', i, 'spec', 'dataosSecrets']);
    });
  }
}

/** A `sql` metastore keeps its tables in a postgresql depot (`dataos://<depot>`) or in embedded PGlite. */
function checkMetastores(set: ManifestSet, report: Report): void {
  for (const lh of set.lakehouses) {
    const ms = lh.lakehouse.metastore;
    const raw = rawAt(sourceDocOf(lh)?.value, ['lakehouse', 'iceberg', 'metastore']);
    const path = ['lakehouse', ...(raw ? ['iceberg'] : []), 'metastore'];
    if (ms.type !== 'sql') {
      if (ms.depot) report(lh, [...path, 'depot'], `lakehouse metastore: 'depot' applies to type sql, not ${ms.type}`);
      continue;
    }
    if (!ms.depot || ms.depot === 'embedded') continue;
    const r = resolveAddress(set, ms.depot, lh);
    if (!r.ok) report(lh, [...path, 'depot'], `lakehouse metastore.depot: ${r.problem.message}`);
    else if (r.depot.depot.type !== 'postgresql') {
      report(
        lh,
        [...path, 'depot'],
        `lakehouse metastore.depot: '${r.depot.name}' is ${r.depot.depot.type}, not postgresql`,
      );
    }
  }
}

/** @internal The raw value at `path` of a parsed document. */
export function rawAt(root: unknown, path: YamlPath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
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
      const others = [...byName.keys()].filter((k) => k !== n.name);
      const hint = dep === n.name ? undefined : closest(dep, others);
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

/** Reports about one endpoint; `opt(key)` points at that option's key as written (or at `options`). */
interface EndpointReport {
  at(path: YamlPath, message: string): void;
  opt(key: keyof JobOptions, message: string): void;
  path: YamlPath;
}

function checkEndpoints(set: ManifestSet, wf: WorkflowManifest, n: DagNode, i: number, report: Report): void {
  const depots = allDepots(set);
  for (const role of ['source', 'sink'] as const) {
    const e = n.spec.stackSpec[role];
    const path = ['workflow', 'dag', i, 'spec', 'stackSpec', role];
    if (e.depot === '') continue; // the address did not parse; already reported
    const matches = depots.filter((d) => d.name === e.depot);
    const depot = matches[0];
    if (!depot) {
      const names = depots.map((d) => d.name).sort();
      const hint = closest(e.depot, names);
      const known = hint ? `; did you mean '${hint}'?` : names.length > 0 ? `; known depots: ${names.join(', ')}` : '';
      report(wf, [...path, 'address'], `${role}.address: unknown depot '${e.depot}'${known}`);
      continue;
    }
    if (matches.length > 1 && !duplicatesReported(set, e.depot)) {
      const files = matches.map((d) => d.source.file).join(', ');
      report(wf, [...path, 'address'], `${role}.address: depot '${e.depot}' is ambiguous (defined in ${files})`);
    }
    const rawOptions = rawAt(sourceDocOf(wf)?.value, [...path, 'options']);
    const r: EndpointReport = {
      path,
      at: (p, m) => report(wf, p, m),
      opt: (key, m) => {
        const spelling = spellingOf(rawOptions, key);
        report(wf, spelling ? [...path, 'options', spelling] : [...path, 'options'], m, { key: true });
      },
    };
    for (const k of role === 'source' ? SINK_ONLY : SOURCE_ONLY) {
      if (e.options[k] === undefined) continue;
      const shown = spellingOf(rawOptions, k) ?? k;
      r.opt(k, `${role}.options: '${shown}' is a ${role === 'source' ? 'sink' : 'source'} option`);
    }
    if (role === 'source') checkSource(depot, e, r);
    else {
      checkSink(depot, e, r);
      checkWriteAccess(set, depot, r);
    }
  }
}

/** True when the depots named `name` clash with each other (then "duplicate" is already reported). */
function duplicatesReported(set: ManifestSet, name: string): boolean {
  const owners = depotEntries(set)
    .filter((e) => e.depot.name === name)
    .map((e) => e.owner);
  return owners.some((a, i) => owners.slice(i + 1).some((b) => clash(a, b)));
}

function checkSource(depot: DepotManifest, e: Endpoint, r: EndpointReport): void {
  const o = e.options;
  const type = depot.depot.type;
  if (type === 's3') {
    r.at(
      [...r.path, 'address'],
      `source.address: depot '${depot.name}' of type s3 cannot be a source (use a lakehouse)`,
    );
    return;
  }
  if (!o.sourceTable && !o.sourceQuery && !e.dataset) {
    r.at([...r.path, 'options'], "source.options: missing 'source-table' (schema.table or query:<SQL>)");
  }
  if (o.sourceQuery !== undefined && type !== 'postgresql') {
    r.opt('sourceQuery', `source.options: 'source-table: query:' needs a postgresql depot; '${depot.name}' is ${type}`);
  }
  if (o.sourceQuery === '') r.opt('sourceQuery', "source.options: 'source-table: query:' has no SQL");
  if (o.sourceTable && type !== 'generator' && !TABLE_RE.test(o.sourceTable)) {
    r.opt('sourceTable', `source.options: source-table '${o.sourceTable}' is not schema.table`);
  }
}

/** A sink needs a read-write secret when its depot names secrets at all (DataOS `-r` / `-rw` pairs). */
function checkWriteAccess(set: ManifestSet, depot: DepotManifest, r: EndpointReport): void {
  const refs = depot.depot.secrets.map((ref) => set.secrets.find((s) => s.name === ref.name));
  if (refs.length === 0 || refs.some((s) => s === undefined || s['instance-secret'].acl === 'rw')) return;
  r.at(
    [...r.path, 'address'],
    `sink.address: depot '${depot.name}' has only read secrets (acl: r); a sink needs one with acl: rw`,
  );
}

function checkSink(depot: DepotManifest, e: Endpoint, r: EndpointReport): void {
  const o = e.options;
  const type = depot.depot.type;
  if (type !== 'lakehouse' && type !== 'postgresql') {
    r.at(
      [...r.path, 'address'],
      `sink.address: depot '${depot.name}' of type ${type} cannot be a sink (use a lakehouse or postgresql depot)`,
    );
    return;
  }
  if (!o.destTable && !e.dataset) r.at([...r.path, 'options'], "sink.options: missing 'dest-table' (schema.table)");
  if (o.destTable && !TABLE_RE.test(o.destTable))
    r.opt('destTable', `sink.options: dest-table '${o.destTable}' is not schema.table`);
  if (o.incrementalStrategy === 'merge' && !o.primaryKey) {
    r.opt('incrementalStrategy', "sink.options: incremental-strategy merge requires 'primary-key'");
  }
  if (type === 'postgresql' && o.partitionBy) {
    r.opt('partitionBy', `sink.options: 'partition-by' applies to lakehouse sinks; '${depot.name}' is postgresql`);
  }
  if (type === 'lakehouse' && o.clusterBy) {
    r.opt('clusterBy', `sink.options: 'cluster-by' applies to postgresql sinks; '${depot.name}' is a lakehouse`);
  }
}
