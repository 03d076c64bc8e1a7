import type { z } from 'zod';
import { closest } from './suggest';
import type { Problem, SourcePos } from './types';
import { findKeyTypos } from './typos';
import { positionOf, type SourceDoc, type YamlPath } from './yaml-source';

/**
 * Collects the problems of one YAML document. Every check reports through `at(path, …)` so that a
 * problem always carries the line and column of the offending node (or of its nearest parent).
 */
export class DocContext {
  readonly problems: Problem[] = [];
  /** The YAML path of each problem (to tell which parts of a manifest were sound). */
  readonly problemPaths: YamlPath[] = [];
  constructor(readonly src: SourceDoc) {}

  /** Records a problem at `path`; `key: true` points at the key instead of the value. */
  at(path: YamlPath, message: string, opts: { key?: boolean } = {}): void {
    this.problems.push({ ...positionOf(this.src, path, opts), message });
    this.problemPaths.push(path);
  }

  /** The source position of `path` (for `SourcePos` fields of the normalized model). */
  pos(path: YamlPath): SourcePos {
    return positionOf(this.src, path, { key: true });
  }

  /** Validates `value` (found at `path`) with a zod schema; issues become problems. */
  parse<S extends z.ZodType>(schema: S, value: unknown, path: YamlPath): z.infer<S> | undefined {
    findKeyTypos(schema, value, path, (at, key, hint) => {
      this.at(at, `${dotted(at.slice(0, -1)) || 'manifest'}: unknown field '${key}'; did you mean '${hint}'?`, {
        key: true,
      });
    });
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    for (const issue of r.error.issues) this.zodIssue(issue, [...path, ...issue.path], value, issue.path);
    return undefined;
  }

  private missing(full: YamlPath): void {
    const parent = full.slice(0, -1);
    this.at(parent, `${dotted(parent) || 'manifest'}: missing required field '${String(full[full.length - 1])}'`);
  }

  private zodIssue(issue: z.core.$ZodIssue, full: YamlPath, root: unknown, rel: PropertyKey[]): void {
    const where = dotted(full);
    switch (issue.code) {
      case 'invalid_type': {
        const actual = valueAt(root, rel);
        if (actual === undefined) {
          this.missing(full);
        } else {
          this.at(full, `${where}: expected ${typeName(issue.expected)}, got ${describe(actual)}`);
        }
        return;
      }
      case 'invalid_value': {
        const actual = valueAt(root, rel);
        if (actual === undefined) {
          this.missing(full);
          return;
        }
        const allowed = issue.values.map((v) => String(v));
        const hint = typeof actual === 'string' ? closest(actual, allowed) : undefined;
        const got = typeof actual === 'string' ? `'${actual}'` : describe(actual);
        this.at(
          full,
          `${where}: must be one of ${allowed.join(', ')}; got ${got}${hint ? ` (did you mean '${hint}'?)` : ''}`,
        );
        return;
      }
      case 'unrecognized_keys':
        for (const key of issue.keys)
          this.at([...full, key], `${dotted([...full, key])}: unknown field '${key}'`, { key: true });
        return;
      case 'too_big':
        this.at(full, `${where}: must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`);
        return;
      case 'too_small':
        this.at(full, `${where}: ${tooSmall(issue)}`);
        return;
      default:
        this.at(full, `${where}: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`);
    }
  }
}

function tooSmall(issue: z.core.$ZodIssueTooSmall): string {
  if (issue.origin === 'array') return `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
  if (issue.origin === 'string') return 'must not be empty';
  return `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
}

/** `['workflow','dag',0,'name']` → `workflow.dag[0].name`. */
export function dotted(path: YamlPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function typeName(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'a mapping';
  if (expected === 'array') return 'a list';
  if (expected === 'int') return 'an integer';
  return expected === 'string'
    ? 'a string'
    : expected === 'number'
      ? 'a number'
      : expected === 'boolean'
        ? 'true or false'
        : expected;
}

/** A value's kind for messages. Never the value itself: it may be a secret. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}
