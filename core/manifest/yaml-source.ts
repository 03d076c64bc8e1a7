import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  visit,
} from 'yaml';
import type { Problem, SourcePos } from './types';

/** A path into a YAML document, as zod reports it (`['workflow', 'dag', 0, 'name']`). */
export type YamlPath = ReadonlyArray<PropertyKey>;

/** One YAML document of a file, with what is needed to turn a path back into `line:col`. */
export interface SourceDoc {
  file: string;
  /** The document as plain JS values (what the schemas validate). */
  value: unknown;
  doc: Document;
  lines: LineCounter;
  /** Position of the document's first content line. */
  start: SourcePos;
}

/**
 * Parses every document of a YAML file (`---` separated), keeping node ranges for error positions.
 * Syntax errors become problems; documents with errors are not returned.
 */
export function parseYamlDocuments(text: string, file: string): { docs: SourceDoc[]; problems: Problem[] } {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const all = Array.isArray(parsed) ? parsed : [];
  const docs: SourceDoc[] = [];
  const problems: Problem[] = [];
  for (const doc of all) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) problems.push(yamlErrorProblem(file, lines, e.pos[0], e.message, e.code));
      continue;
    }
    const converted = toPlain(doc, file, lines);
    if ('problem' in converted) {
      problems.push(converted.problem);
      continue;
    }
    const value = converted.value;
    // An empty document (a trailing `---`, or only comments) is not a manifest.
    if (doc.contents === null || value === null || value === undefined) continue;
    const startOffset = doc.contents.range?.[0] ?? 0;
    docs.push({ file, value, doc, lines, start: posAt(file, lines, startOffset) });
  }
  return { docs, problems };
}

/**
 * `doc.toJS` throws (a ReferenceError) on an alias whose anchor is not set before it (`depot: *b`) and on
 * too many aliases; the parser reports neither in `doc.errors`. Those become a problem at the alias.
 */
function toPlain(doc: Document, file: string, lines: LineCounter): { value: unknown } | { problem: Problem } {
  const unresolved = firstUnresolvedAlias(doc);
  if (unresolved) {
    const message = `invalid yaml: unresolved alias *${unresolved.source} (its anchor &${unresolved.source} must be set before it)`;
    return { problem: { ...posAt(file, lines, unresolved.offset), message } };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    const first = ((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '').replace(/\.$/, '');
    const text = first.charAt(0).toLowerCase() + first.slice(1);
    return { problem: { ...posAt(file, lines, doc.contents?.range?.[0] ?? 0), message: `invalid yaml: ${text}` } };
  }
}

function firstUnresolvedAlias(doc: Document): { source: string; offset: number } | undefined {
  let found: { source: string; offset: number } | undefined;
  visit(doc, {
    Alias(_key, node) {
      // resolve() finds the nearest anchor set before the alias; undefined when there is none.
      if (isAlias(node) && node.resolve(doc) === undefined) {
        found = { source: node.source, offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function yamlErrorProblem(file: string, lines: LineCounter, offset: number, message: string, code: string): Problem {
  // The yaml package's messages are capitalized and may carry a trailing code excerpt; keep the first line.
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
  const text = code === 'DUPLICATE_KEY' ? 'duplicate key in mapping' : first.charAt(0).toLowerCase() + first.slice(1);
  return { ...posAt(file, lines, offset), message: `invalid yaml: ${text}` };
}

/** 1-based line and column of a character offset. */
export function posAt(file: string, lines: LineCounter, offset: number): SourcePos {
  const { line, col } = lines.linePos(offset);
  return { file, line, col };
}

/**
 * The position of `path` in the document: the value's start, or with `key: true` the key's start.
 * A path that does not exist falls back to its nearest existing parent (the key that holds it).
 */
export function positionOf(src: SourceDoc, path: YamlPath, opts: { key?: boolean } = {}): SourcePos {
  let node: unknown = src.doc.contents;
  let best = src.start;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const next = childOf(node, seg);
    if (!next) return best;
    const isLast = i === path.length - 1;
    const keyOffset = next.keyRange ?? next.valueRange;
    const valueOffset = next.valueRange ?? next.keyRange;
    const offset = isLast && !opts.key ? valueOffset : keyOffset;
    if (offset !== undefined) best = posAt(src.file, src.lines, offset);
    if (isLast && opts.key === undefined && valueOffset !== undefined && next.value && !isScalar(next.value)) {
      // A map or list value: point at its key, where a reader looks first.
      if (keyOffset !== undefined) best = posAt(src.file, src.lines, keyOffset);
    }
    node = next.value;
  }
  return best;
}

interface Child {
  value: unknown;
  keyRange?: number;
  valueRange?: number;
}

function childOf(node: unknown, seg: PropertyKey | undefined): Child | undefined {
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const k = isScalar(item.key) ? item.key.value : item.key;
      if (String(k) !== String(seg)) continue;
      return {
        value: item.value,
        keyRange: (item.key as Node | null)?.range?.[0],
        valueRange: (item.value as Node | null)?.range?.[0],
      };
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === 'number') {
    const item = node.items[seg] as Node | undefined;
    if (!item) return undefined;
    return { value: item, keyRange: item.range?.[0], valueRange: item.range?.[0] };
  }
  return undefined;
}

/** Builds a problem located at `path` of a document. */
export function problemAt(src: SourceDoc, path: YamlPath, message: string, opts: { key?: boolean } = {}): Problem {
  return { ...positionOf(src, path, opts), message };
}
