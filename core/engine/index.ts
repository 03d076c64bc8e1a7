/**
 * The local engine: runs a workflow's state machine definition in-process (aws-local-stepfunctions), with a
 * worker-thread pool for Move, progress rendering and a run summary.
 */
export { type ExecuteOptions, executeDefinition, type LocalTaskFn } from './executor';
export { batchItems } from './item-batcher';
export { LOCAL_MAP_RESOURCE, localDefinition } from './local-definition';
export { type JobProgress, type JobStatus, type ProgressEvent, ProgressTracker } from './progress';
export { plainProgress, ttyProgress } from './render';
export { type LocalRunOptions, newRunId, runWorkflowLocally } from './run-workflow';
export { human, humanBytes, type JobSummary, type RunSummary, summaryTable } from './summary';
export { RemoteTaskError, WorkerPool } from './worker-pool';
