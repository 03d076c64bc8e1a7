/** Scan planning, filter expressions and evaluators. */

export { type BindOptions, bindExpression, bindReference, referencedFieldIds } from './bind';
export { DELETE_FILE_PATH_ID, DeleteFileIndex, partitionKey } from './delete-index';
export { evaluate, normalizeValue, objectAccessor, type RowAccessor, rowEvaluator } from './evaluator';
export * from './expression';
export { manifestMightMatch } from './manifest-evaluator';
export { fileMightMatch } from './metrics-evaluator';
export { parseExpression } from './parse-expression';
export {
  type DeleteFileRef,
  type FileScanTask,
  type PlanOptions,
  planFiles,
  type ReadFile,
  type ScanMetrics,
  type ScanPlan,
} from './plan';
export { residualFor } from './residual';
export { fromTaggedJson, tasksFromJson, tasksToJson, toTaggedJson } from './task-json';
