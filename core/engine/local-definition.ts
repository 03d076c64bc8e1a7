/**
 * Prepares an ASL definition for aws-local-stepfunctions, which implements neither Distributed Map nor Lambda
 * ARNs bound to local code: every `DISTRIBUTED` Map becomes a Task state (same name, Retry, Catch, paths,
 * transitions) whose local handler reads the items like the ItemReader, batches them like the ItemBatcher and
 * runs the ItemProcessor as an INLINE Map (see `distributed-map.ts`). Every other Task is bound by its
 * `Resource` to one of the local tasks.
 */
import type { AslBranch, AslState, Json } from '../../statemachines/asl';

/** The resource of a rewritten Distributed Map (an ARN form the validator accepts). */
export const LOCAL_MAP_RESOURCE = 'arn:aws:lambda:local:000000000000:function:icefloe-local-distributed-map';
/** A task timeout long enough for a whole map (the library's default task timeout is 60 s). */
const MAP_TIMEOUT_SECONDS = 2_000_000; // setTimeout's limit is 2^31-1 ms (24.8 days)

/** What a rewritten Distributed Map needs at run time. */
export interface LocalMap {
  stateName: string;
  /** The item processor, its own nested Distributed Maps rewritten too. */
  processor: AslBranch;
  maxConcurrency: number;
  maxItemsPerBatch?: number;
  maxInputBytesPerBatch?: number;
  batched: boolean;
}

/** A Task state of the definition and its Resource. */
export interface LocalTask {
  stateName: string;
  resource: string;
}

export interface LocalDefinition<T extends AslBranch> {
  definition: T;
  maps: Map<string, LocalMap>;
  tasks: LocalTask[];
}

const copied = [
  'Comment',
  'InputPath',
  'ResultSelector',
  'ResultPath',
  'OutputPath',
  'Retry',
  'Catch',
  'Next',
  'End',
] as const;

function rewriteMap(name: string, s: AslState, out: LocalDefinition<AslBranch>): AslState {
  const inner = rewriteBranch({ StartAt: s.ItemProcessor?.StartAt ?? '', States: s.ItemProcessor?.States ?? {} }, out);
  out.maps.set(name, {
    stateName: name,
    processor: inner,
    maxConcurrency: s.MaxConcurrency ?? 0,
    maxItemsPerBatch: s.ItemBatcher?.MaxItemsPerBatch,
    maxInputBytesPerBatch: s.ItemBatcher?.MaxInputBytesPerBatch,
    batched: s.ItemBatcher !== undefined,
  });
  const params: { [k: string]: Json } = { reader: (s.ItemReader?.Parameters ?? {}) as Json };
  if (s.ItemBatcher?.BatchInput) params.batchInput = s.ItemBatcher.BatchInput;
  const task: AslState = {
    Type: 'Task',
    Resource: LOCAL_MAP_RESOURCE,
    Parameters: params,
    TimeoutSeconds: MAP_TIMEOUT_SECONDS,
  };
  for (const k of copied) if (s[k] !== undefined) (task as unknown as Record<string, unknown>)[k] = s[k];
  return task;
}

function rewriteBranch(branch: AslBranch, out: LocalDefinition<AslBranch>): AslBranch {
  const states: Record<string, AslState> = {};
  for (const [name, s] of Object.entries(branch.States)) {
    if (s.Type === 'Map' && s.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
      states[name] = rewriteMap(name, s, out);
      continue;
    }
    const copy: AslState = { ...s };
    if (s.Branches) copy.Branches = s.Branches.map((b) => rewriteBranch(b, out));
    if (s.ItemProcessor) copy.ItemProcessor = { ...s.ItemProcessor, ...rewriteBranch(s.ItemProcessor, out) };
    if (s.Type === 'Task' && s.Resource) out.tasks.push({ stateName: name, resource: s.Resource });
    states[name] = copy;
  }
  return { ...branch, States: states };
}

/** Rewrites Distributed Maps and lists the Task states to bind. The input is not modified. */
export function localDefinition<T extends AslBranch>(definition: T): LocalDefinition<T> {
  const out: LocalDefinition<AslBranch> = { definition, maps: new Map(), tasks: [] };
  out.definition = rewriteBranch(definition, out);
  return out as LocalDefinition<T>;
}

/** Every state name that has a Retry (for retry interval overrides in tests). */
export function retryingStates(branch: AslBranch): string[] {
  return Object.entries(branch.States).flatMap(([name, s]) => [
    ...(s.Retry ? [name] : []),
    ...(s.Branches ?? []).flatMap(retryingStates),
    ...(s.ItemProcessor ? retryingStates(s.ItemProcessor) : []),
  ]);
}
