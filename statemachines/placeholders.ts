/**
 * The `${Name}` placeholders of a generated definition. The CDK stack fills them with `DefinitionBody.fromString`
 * and `definitionSubstitutions`; the local engine binds them to in-process tasks.
 */
// biome-ignore-start lint/suspicious/noTemplateCurlyInString: these are ASL substitution placeholders, not JS templates
export const PLACEHOLDERS = {
  PlanFunctionArn: '${PlanFunctionArn}',
  MoveFunctionArn: '${MoveFunctionArn}',
  CommitFunctionArn: '${CommitFunctionArn}',
  CleanupFunctionArn: '${CleanupFunctionArn}',
  StagingBucket: '${StagingBucket}',
} as const;
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: see above

/** A placeholder name (without `${}`), as used in CDK's `definitionSubstitutions`. */
export type PlaceholderName = keyof typeof PLACEHOLDERS;

/** Which task each function placeholder runs. */
export const TASK_OF_PLACEHOLDER = {
  [PLACEHOLDERS.PlanFunctionArn]: 'plan',
  [PLACEHOLDERS.MoveFunctionArn]: 'move',
  [PLACEHOLDERS.CommitFunctionArn]: 'commit',
  [PLACEHOLDERS.CleanupFunctionArn]: 'cleanup',
} as const;

/** Replaces every `${Name}` in a definition (as CDK's substitutions do) and returns a new object. */
export function substitute<T>(definition: T, values: Partial<Record<PlaceholderName, string>>): T {
  const json = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => {
    const value = values[name as PlaceholderName];
    return value === undefined ? whole : JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(json) as T;
}
