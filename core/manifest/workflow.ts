import * as z from 'zod';
import { parseAddress } from './address';
import { isRecord, parseMeta, resourceName, secretRefSchema, toSecretRef } from './common';
import type { DocContext } from './context';
import { cronProblem, isValidTimeZone } from './cron';
import { parseOptions } from './options';
import { parseCpu, parseDurationSeconds, parseMemoryMiB } from './quantities';
import type { DagNode, Endpoint, ResourceQuantities, WorkflowManifest, WorkflowSchedule } from './types';
import type { YamlPath } from './yaml-source';

const quantity = z.union([z.string(), z.number()]);
const quantities = z.object({ cpu: quantity.optional(), memory: quantity.optional() });
const endpointSchema = z.object({ address: z.string().min(1), options: z.unknown().optional() });

const nodeSchema = z.object({
  name: resourceName,
  title: z.string().optional(),
  description: z.string().optional(),
  spec: z.object({
    stack: z.string().regex(/^nilus:\d+(\.\d+)*$/, { message: 'icefloe runs the nilus stack (nilus:1.0)' }),
    compute: z.string().optional(),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).optional(),
    resources: z.object({ requests: quantities.optional(), limits: quantities.optional() }).optional(),
    dataosSecrets: z.array(secretRefSchema).optional(),
    stackSpec: z.object({ source: endpointSchema, sink: endpointSchema }),
  }),
  dependencies: z.union([z.array(z.string()), z.string()]).optional(),
  retry: z
    .object({
      count: z.number().int().min(0),
      strategy: z.enum(['Always', 'OnFailure', 'OnError', 'OnTransientError']).default('OnFailure'),
      duration: z.union([z.string(), z.number()]).optional(),
    })
    .optional(),
});

const workflowSchema = z.object({
  title: z.string().optional(),
  schedule: z
    .object({
      cron: z.string().min(1),
      timezone: z.string().optional(),
      concurrencyPolicy: z.enum(['Allow', 'Forbid', 'Replace']).default('Allow'),
      endOn: z.union([z.string(), z.date()]).optional(),
    })
    .optional(),
  dag: z.array(z.unknown()).min(1),
});

type RawNode = z.infer<typeof nodeSchema>;

/** Validates a `type: workflow` manifest with `stack: nilus:*` jobs (the seed 000 sample). */
export function parseWorkflow(ctx: DocContext, raw: Record<string, unknown>): WorkflowManifest | undefined {
  const meta = parseMeta(ctx, raw);
  if (!isRecord(raw.workflow)) {
    ctx.at(raw.workflow === undefined ? [] : ['workflow'], "workflow: missing required section 'workflow'");
    return undefined;
  }
  const wf = ctx.parse(workflowSchema, raw.workflow, ['workflow']);
  if (!meta || !wf) return undefined;
  const dag: DagNode[] = [];
  wf.dag.forEach((rawNode, i) => {
    const path = ['workflow', 'dag', i];
    const n = ctx.parse(nodeSchema, rawNode, path);
    if (n) dag.push(toNode(ctx, n, rawNode as Record<string, unknown>, path));
  });
  const out: WorkflowManifest = { ...meta, type: 'workflow', workflow: { dag } };
  if (wf.title !== undefined) out.workflow.title = wf.title;
  if (wf.schedule) out.workflow.schedule = toSchedule(ctx, wf.schedule);
  return out;
}

function toSchedule(ctx: DocContext, s: NonNullable<z.infer<typeof workflowSchema>['schedule']>): WorkflowSchedule {
  const path = ['workflow', 'schedule'];
  const bad = cronProblem(s.cron);
  if (bad) ctx.at([...path, 'cron'], `workflow.schedule.cron: ${bad}`);
  const out: WorkflowSchedule = { cron: s.cron, concurrencyPolicy: s.concurrencyPolicy };
  if (s.timezone !== undefined) {
    if (!isValidTimeZone(s.timezone))
      ctx.at(
        [...path, 'timezone'],
        `workflow.schedule.timezone: unknown time zone '${s.timezone}' (use an IANA name like Europe/Berlin)`,
      );
    out.timezone = s.timezone;
  }
  if (s.endOn !== undefined) {
    const iso = s.endOn instanceof Date ? s.endOn.toISOString() : s.endOn;
    if (Number.isNaN(Date.parse(iso)))
      ctx.at([...path, 'endOn'], `workflow.schedule.endOn: '${iso}' is not an ISO-8601 time`);
    out.endOn = iso;
  }
  return out;
}

function toNode(ctx: DocContext, n: RawNode, raw: Record<string, unknown>, path: YamlPath): DagNode {
  const spec = raw.spec as Record<string, unknown>;
  const stackSpec = spec.stackSpec as Record<string, unknown>;
  const sp = [...path, 'spec'];
  const node: DagNode = {
    name: n.name,
    spec: {
      stack: n.spec.stack,
      stackSpec: {
        source: toEndpoint(ctx, n.spec.stackSpec.source, (stackSpec.source as Record<string, unknown>).options, [
          ...sp,
          'stackSpec',
          'source',
        ]),
        sink: toEndpoint(ctx, n.spec.stackSpec.sink, (stackSpec.sink as Record<string, unknown>).options, [
          ...sp,
          'stackSpec',
          'sink',
        ]),
      },
    },
    dependencies: typeof n.dependencies === 'string' ? [n.dependencies] : (n.dependencies ?? []),
    source: ctx.pos(path),
  };
  if (n.title !== undefined) node.title = n.title;
  if (n.description !== undefined) node.description = n.description;
  if (n.spec.compute !== undefined) node.spec.compute = n.spec.compute;
  if (n.spec.logLevel !== undefined) node.spec.logLevel = n.spec.logLevel;
  if (n.spec.dataosSecrets) node.spec.dataosSecrets = n.spec.dataosSecrets.map(toSecretRef);
  if (n.spec.resources) {
    const res: NonNullable<DagNode['spec']['resources']> = {};
    for (const kind of ['requests', 'limits'] as const) {
      const q = n.spec.resources[kind];
      if (q) res[kind] = toQuantities(ctx, q, [...sp, 'resources', kind]);
    }
    node.spec.resources = res;
  }
  if (n.retry) {
    node.retry = { count: n.retry.count, strategy: n.retry.strategy };
    if (n.retry.duration !== undefined) {
      const secs = parseDurationSeconds(n.retry.duration);
      if (secs === undefined)
        ctx.at(
          [...path, 'retry', 'duration'],
          `retry.duration: '${n.retry.duration}' is not a duration (e.g. 30s, 1m, 1h30m)`,
        );
      else node.retry.durationSeconds = secs;
    }
  }
  return node;
}

function toQuantities(ctx: DocContext, q: z.infer<typeof quantities>, path: YamlPath): ResourceQuantities {
  const out: ResourceQuantities = {};
  const where = String(path[path.length - 1]);
  if (q.cpu !== undefined) {
    const cpu = parseCpu(q.cpu);
    if (cpu === undefined)
      ctx.at([...path, 'cpu'], `resources.${where}.cpu: '${q.cpu}' is not a cpu quantity (e.g. 500m, 1, 0.5)`);
    else out.cpu = cpu;
  }
  if (q.memory !== undefined) {
    const mem = parseMemoryMiB(q.memory);
    if (mem === undefined)
      ctx.at(
        [...path, 'memory'],
        `resources.${where}.memory: '${q.memory}' is not a memory quantity (e.g. 512Mi, 1Gi)`,
      );
    else out.memoryMiB = mem;
  }
  return out;
}

function toEndpoint(ctx: DocContext, e: { address: string }, rawOptions: unknown, path: YamlPath): Endpoint {
  const options = parseOptions(ctx, rawOptions, [...path, 'options']);
  const parsed = parseAddress(e.address);
  const role = String(path[path.length - 1]);
  if (typeof parsed === 'string') {
    ctx.at([...path, 'address'], `${role}.address: ${parsed}`);
    return { address: e.address, depot: '', options };
  }
  const out: Endpoint = { address: e.address, depot: parsed.depot, options };
  if (parsed.collection) out.collection = parsed.collection;
  if (parsed.dataset) out.dataset = parsed.dataset;
  return out;
}
