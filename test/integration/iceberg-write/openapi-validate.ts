/**
 * A small JSON-schema validator for the component schemas of the REST catalog OpenAPI document
 * (`../shared/iceberg-spec/rest-catalog-open-api.yaml`): $ref, type, required, properties,
 * additionalProperties, items, enum, const, oneOf/anyOf/allOf, minimum/maximum.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: JSON schemas are loosely shaped
type S = Record<string, any>;

const DOC = join(__dirname, '../../../../shared/iceberg-spec/rest-catalog-open-api.yaml');
let components: Record<string, S> | undefined;

function schemas(): Record<string, S> {
  components ??= (parse(readFileSync(DOC, 'utf8')) as S).components.schemas as Record<string, S>;
  return components;
}

/** Problems of `value` against component schema `name` (empty when valid). */
export function validateComponent(name: string, value: unknown): string[] {
  const errs: string[] = [];
  check({ $ref: `#/components/schemas/${name}` }, value, '$', errs);
  return errs;
}

function typeOk(t: string, v: unknown): boolean {
  if (t === 'object') return v !== null && typeof v === 'object' && !Array.isArray(v);
  if (t === 'array') return Array.isArray(v);
  if (t === 'integer') return typeof v === 'number' && Number.isInteger(v);
  if (t === 'number') return typeof v === 'number';
  if (t === 'null') return v === null;
  return typeof v === t;
}

function check(s: S, v: unknown, at: string, errs: string[]): void {
  if (s.$ref) {
    check(schemas()[String(s.$ref).split('/').pop() as string] as S, v, at, errs);
    return;
  }
  if (s.nullable && v === null) return;
  if (s.type && !(Array.isArray(s.type) ? s.type.some((t: string) => typeOk(t, v)) : typeOk(s.type, v))) {
    errs.push(`${at}: expected ${s.type}, got ${JSON.stringify(v)?.slice(0, 60)}`);
    return;
  }
  if (s.const !== undefined && v !== s.const) errs.push(`${at}: expected ${s.const}`);
  if (s.enum && !s.enum.includes(v)) errs.push(`${at}: ${JSON.stringify(v)} not in ${s.enum.join('|')}`);
  if (typeof v === 'number' && s.minimum !== undefined && v < s.minimum) errs.push(`${at}: below minimum`);
  if (typeof v === 'number' && s.maximum !== undefined && v > s.maximum) errs.push(`${at}: above maximum`);
  for (const sub of s.allOf ?? []) check(sub, v, at, errs);
  const count = (list: S[]) => list.filter((sub) => validOf(sub, v, at)).length;
  if (s.oneOf && count(s.oneOf) !== 1) errs.push(`${at}: matches ${count(s.oneOf)} of oneOf`);
  if (s.anyOf && count(s.anyOf) === 0) errs.push(`${at}: matches none of anyOf`);
  if (Array.isArray(v) && s.items) for (let i = 0; i < v.length; i++) check(s.items, v[i], `${at}[${i}]`, errs);
  if (v && typeof v === 'object' && !Array.isArray(v)) checkObject(s, v as S, at, errs);
}

function checkObject(s: S, o: S, at: string, errs: string[]): void {
  for (const r of s.required ?? []) if (!(r in o)) errs.push(`${at}: missing ${r}`);
  for (const [k, x] of Object.entries(o)) {
    if (s.properties?.[k]) check(s.properties[k], x, `${at}.${k}`, errs);
    else if (s.additionalProperties && typeof s.additionalProperties === 'object')
      check(s.additionalProperties, x, `${at}.${k}`, errs);
    else if (s.additionalProperties === false) errs.push(`${at}: unexpected ${k}`);
  }
}

function validOf(s: S, v: unknown, at: string): boolean {
  const e: string[] = [];
  check(s, v, at, e);
  return e.length === 0;
}
