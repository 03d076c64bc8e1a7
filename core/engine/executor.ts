/**
 * Runs an ASL definition in-process with aws-local-stepfunctions: Task states bound to local functions by
 * their `Resource`, Distributed Maps run as INLINE maps over items read by a local ItemReader and grouped
 * by the local ItemBatcher (see `local-definition.ts`).
 */
import './polyfill';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { AslBranch, AslDefinition, Json } from '../../statemachines/asl';
import { InvalidInputError } from '../errors';
import { batchItems } from './item-batcher';
import { type LocalMap, localDefinition, retryingStates } from './local-definition';

/** A local task: the payload a Lambda would get, the state's name. */
export type LocalTaskFn = (input: Json, stateName: string) => Promise<Json>;

export interface ExecuteOptions {
  /** Local functions by Task `Resource` (e.g. `${PlanFunctionArn}` or a deployed function's ARN). */
  tasks: Record<string, LocalTaskFn>;
  /** The ItemReader: reads the JSON array named by the reader's evaluated `Parameters` (`Bucket`, `Key`). */
  readItems(reader: Json): Promise<Json[]>;
  /** `$$.Execution.Name` (the run id). */
  executionName: string;
  /** Overrides every retry wait (tests); the definition's backoff when absent. */
  retryIntervalMs?: number;
  /** Aborts the execution (Ctrl-C): it then fails with `ExecutionAbortedError`. */
  signal?: AbortSignal;
}

type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
type Handlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type Handler = Handlers[string];

/** The error a failed execution ended with (the state's error, not the library's wrapper). */
function unwrap(err: unknown): unknown {
  return err instanceof ExecutionError && err.cause !== undefined ? err.cause : err;
}

function runInlineMap(map: LocalMap, input: Json, opts: ExecuteOptions, runOptions: RunOptions): Promise<Json> {
  const { reader, batchInput } = input as { reader: Json; batchInput?: Json };
  return opts.readItems(reader).then(async (items) => {
    const batches = batchItems(items, map, batchInput);
    const name = `${map.stateName} (inline)`;
    const inline: AslBranch = {
      StartAt: name,
      States: {
        [name]: {
          Type: 'Map',
          ItemsPath: '$.batches',
          MaxConcurrency: map.maxConcurrency,
          ItemProcessor: map.processor,
          End: true,
        },
      },
    };
    const machine = new StateMachine(inline as never, { validationOptions: { noValidate: true } });
    try {
      return (await machine.run({ batches } as never, runOptions).result) as Json;
    } catch (err) {
      throw unwrap(err);
    }
  });
}

/** Executes a definition; resolves with its output, rejects with the error it failed with. */
export async function executeDefinition(definition: AslDefinition, input: Json, opts: ExecuteOptions): Promise<Json> {
  const local = localDefinition(definition);
  const handlers: Handlers = {};
  for (const t of local.tasks) {
    const fn = opts.tasks[t.resource];
    if (!fn)
      throw new InvalidInputError(`task state '${t.stateName}': resource ${t.resource} is not bound to a local task`);
    handlers[t.stateName] = ((i: Json) => fn(i, t.stateName)) as Handler;
  }
  const runOptions: RunOptions = {
    overrides: { taskResourceLocalHandlers: handlers },
    context: { Execution: { Name: opts.executionName, Id: `local:${opts.executionName}` } } as never,
  };
  if (opts.retryIntervalMs !== undefined) {
    const ms = opts.retryIntervalMs;
    const states = [local.definition, ...[...local.maps.values()].map((m) => m.processor)].flatMap(retryingStates);
    runOptions.overrides = {
      ...runOptions.overrides,
      retryIntervalOverrides: Object.fromEntries(states.map((s) => [s, ms])),
    };
  }
  for (const m of local.maps.values())
    handlers[m.stateName] = ((i: Json) => runInlineMap(m, i, opts, runOptions)) as Handler;
  // the definition was generated (and asl-validated in tests) by statemachines/: skip the per-run ajv validation
  const machine = new StateMachine(local.definition as never, { validationOptions: { noValidate: true } });
  const execution = machine.run(input as never, runOptions);
  const onAbort = () => execution.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) execution.abort();
  try {
    return (await execution.result) as Json;
  } catch (err) {
    throw unwrap(err);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
