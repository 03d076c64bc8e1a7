import { allDepots, depotEntries } from './address';
import { rawAt } from './common';
import { spellingOf } from './options';
import { clash, sourceDocOf } from './scope';
import { closest } from './suggest';
import type { DagNode, DepotManifest, Endpoint, JobOptions, Manifest, ManifestSet, WorkflowManifest } from './types';
import type { YamlPath } from './yaml-source';

/** Reports a problem at `path` of manifest `m` (see `crossChecks`). */
export type Report = (m: Manifest, path: YamlPath, message: string, opts?: { key?: boolean }) => void;

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

export function checkEndpoints(set: ManifestSet, wf: WorkflowManifest, n: DagNode, i: number, report: Report): void {
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
