/**
 * Schema evolution on write (format/spec.md "Schema Evolution"): columns of the incoming Arrow data
 * that the table lacks are added as optional fields with fresh ids; safe promotions (int→long,
 * float→double, decimal precision widening) change the type in place. Anything else is an error.
 */
import type * as arrow from 'apache-arrow';
import { icebergFieldOf, icebergPrimitiveOf } from '../../arrow/write/arrow-schema';
import { InvalidInputError } from '../../errors';
import type { Schema } from '../spec/schema';
import type { NestedField } from '../spec/types';
import { primitiveKind } from '../spec/types';

/** The evolved schema (with a new schema id), or undefined when `incoming` already fits. */
export function evolveSchema(
  current: Schema,
  incoming: arrow.Schema,
  lastColumnId: number,
  newSchemaId: number,
): Schema | undefined {
  let last = lastColumnId;
  const nextId = () => ++last;
  let changed = false;
  const fields: NestedField[] = current.fields.map((f) => {
    const col =
      incoming.fields.find((c) => c.name === f.name) ??
      incoming.fields.find((c) => c.name.toLowerCase() === f.name.toLowerCase());
    if (!col || typeof f.type !== 'string') return f;
    let to: string;
    try {
      to = icebergPrimitiveOf(col.type, col.name);
    } catch {
      return f;
    }
    const promoted = promotion(f.type, to);
    if (!promoted) return f;
    changed = true;
    return { ...f, type: promoted };
  });
  for (const col of incoming.fields) {
    const known = current.fields.some((f) => f.name === col.name || f.name.toLowerCase() === col.name.toLowerCase());
    if (known) continue;
    changed = true;
    fields.push({ ...icebergFieldOf(col, nextId(), nextId), required: false });
  }
  return changed ? { ...current, 'schema-id': newSchemaId, fields } : undefined;
}

/** The promoted type when writing `to` into a `from` column needs a safe promotion; undefined when none is needed. */
function promotion(from: string, to: string): string | undefined {
  const a = primitiveKind(from);
  const b = primitiveKind(to);
  if (!a || !b || from === to) return undefined;
  if (a.kind === 'int' && b.kind === 'long') return 'long';
  if (a.kind === 'float' && b.kind === 'double') return 'double';
  if (a.kind === 'decimal' && b.kind === 'decimal' && a.scale === b.scale && b.precision > a.precision) return to;
  const narrowing =
    (a.kind === 'long' && b.kind === 'int') ||
    (a.kind === 'double' && b.kind === 'float') ||
    (a.kind === 'decimal' && b.kind === 'decimal' && a.scale === b.scale);
  if (narrowing) return undefined;
  if (a.kind !== b.kind && !(a.kind.startsWith('timestamp') && b.kind.startsWith('timestamp')))
    throw new InvalidInputError(`column type change from ${from} to ${to} is not a safe promotion`);
  return undefined;
}
