/**
 * The subset of the Amazon States Language (JSONPath flavour) that icefloe generates.
 * Plain JSON objects: `JSON.stringify(definition)` is the state machine definition.
 * @see https://states-language.net/spec.html
 */

/** A JSON value as it appears in a definition. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One `Retry` entry. Step Functions matches `ErrorEquals` against the error's `name` (Lambda `errorType`). */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

/** One `Catch` entry. */
export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

/** A state: the common fields are typed, the type-specific ones are plain JSON. */
export interface AslState {
  Type: 'Task' | 'Map' | 'Parallel' | 'Pass' | 'Fail' | 'Succeed' | 'Choice' | 'Wait';
  Comment?: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Parameters?: { [key: string]: Json };
  ResultSelector?: { [key: string]: Json };
  ResultPath?: string | null;
  OutputPath?: string | null;
  InputPath?: string | null;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Branches?: AslBranch[];
  ItemProcessor?: AslBranch & {
    ProcessorConfig?: { Mode: 'INLINE' | 'DISTRIBUTED'; ExecutionType?: 'STANDARD' | 'EXPRESS' };
  };
  ItemReader?: { Resource: string; ReaderConfig?: { [key: string]: Json }; Parameters: { [key: string]: Json } };
  ItemBatcher?: { MaxItemsPerBatch?: number; MaxInputBytesPerBatch?: number; BatchInput?: { [key: string]: Json } };
  ItemsPath?: string;
  ItemSelector?: { [key: string]: Json };
  MaxConcurrency?: number;
  ToleratedFailurePercentage?: number;
  Label?: string;
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

/** A Parallel branch or a Map item processor. */
export interface AslBranch {
  StartAt: string;
  States: Record<string, AslState>;
}

/** A whole state machine definition. */
export interface AslDefinition extends AslBranch {
  Comment?: string;
  TimeoutSeconds?: number;
}
