import type { z } from 'zod';
import { closest } from './suggest';
import type { YamlPath } from './yaml-source';

/** The parts of zod 4's internal definition this walk reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  out?: z.ZodType;
}

const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Finds keys of `value` that are not fields of `schema` but are one small edit away from one
 * (`dependecies` for `dependencies`). Other unknown keys are tolerated: DataOS manifests carry
 * fields icefloe does not use (`envs`, `runAsUser`, …), and rejecting them would reject real manifests.
 */
export function findKeyTypos(
  schema: z.ZodType,
  value: unknown,
  path: YamlPath,
  report: (path: YamlPath, key: string, hint: string) => void,
): void {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
      if (def.innerType) findKeyTypos(def.innerType, value, path, report);
      return;
    case 'pipe':
      if (def.out) findKeyTypos(def.out, value, path, report);
      return;
    case 'array':
      if (def.element && Array.isArray(value)) {
        value.forEach((v, i) => {
          findKeyTypos(def.element as z.ZodType, v, [...path, i], report);
        });
      }
      return;
    case 'union':
      // Walk the first object-shaped alternative only when the value is a mapping.
      {
        const obj = (def.options ?? []).find((o) => defOf(o).type === 'object');
        if (obj) findKeyTypos(obj, value, path, report);
      }
      return;
    case 'object':
      walkObject(def.shape ?? {}, value, path, report);
  }
}

function walkObject(
  shape: Record<string, z.ZodType>,
  value: unknown,
  path: YamlPath,
  report: (path: YamlPath, key: string, hint: string) => void,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const known = Object.keys(shape);
  for (const [key, v] of Object.entries(value)) {
    const child = shape[key];
    if (child) {
      findKeyTypos(child, v, [...path, key], report);
      continue;
    }
    const hint = closest(key, known);
    if (hint) report([...path, key], key, hint);
  }
}
