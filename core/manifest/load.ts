import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { crossChecks } from './checks';
import { isRecord, rawAt } from './common';
import { DocContext } from './context';
import { parseDepot } from './depot';
import { parseLakehouse } from './lakehouse';
import { problemPathsOf, setOrigin, setScope, sourceDocOf } from './scope';
import { parseInstanceSecret } from './secret';
import { closest } from './suggest';
import type { Manifest, ManifestSet, Problem } from './types';
import { parseWorkflow } from './workflow';
import { parseYamlDocuments, type YamlPath } from './yaml-source';

const PARSERS = {
  lakehouse: parseLakehouse,
  depot: parseDepot,
  'instance-secret': parseInstanceSecret,
  workflow: parseWorkflow,
} as const;
const TYPES = Object.keys(PARSERS);

/**
 * Parses and validates the manifests of one YAML text (one or more `---` separated documents).
 * Only per-document checks run here; `loadManifests` adds the cross-manifest checks.
 * @example const { manifests, problems } = parseManifestText(text, 'workflow.yaml');
 */
export function parseManifestText(text: string, file: string): { manifests: Manifest[]; problems: Problem[] } {
  const { manifests, problems } = parseWithPartial(text, file);
  return { manifests, problems: sortProblems(problems) };
}

/** Like `parseManifestText`, plus the manifests that parsed but had problems (used only to resolve names). */
function parseWithPartial(text: string, file: string) {
  const { docs, problems } = parseYamlDocuments(text, file);
  const manifests: Manifest[] = [];
  const partial: Manifest[] = [];
  for (const src of docs) {
    const ctx = new DocContext(src);
    const m = parseDocument(ctx);
    problems.push(...ctx.problems);
    if (!m) continue;
    setOrigin(m, src, '', ctx.problemPaths);
    (ctx.problems.length === 0 ? manifests : partial).push(m);
  }
  return { manifests, partial, problems };
}

function parseDocument(ctx: DocContext): Manifest | undefined {
  const raw = ctx.src.value;
  if (!isRecord(raw)) {
    ctx.at([], 'manifest: expected a mapping with name, version and type');
    return undefined;
  }
  if (raw.type === undefined) {
    ctx.at([], `manifest: missing required field 'type' (one of ${TYPES.join(', ')})`);
    return undefined;
  }
  const type = String(raw.type);
  const parser = PARSERS[type as keyof typeof PARSERS];
  if (!parser) {
    const hint = closest(type, TYPES);
    ctx.at(
      ['type'],
      `type: unsupported manifest type '${type}'; expected one of ${TYPES.join(', ')}${hint ? ` (did you mean '${hint}'?)` : ''}`,
    );
    return undefined;
  }
  return parser(ctx, raw);
}

/**
 * Whether a cross-manifest problem at `path` of `m` stands on its own: false when `m` has a problem of
 * its own in the same job endpoint (options dropped there may cause it), or when a job of the DAG did
 * not parse (dependencies on it would look unknown).
 */
function independentOfOwnProblems(m: Manifest, path: YamlPath): boolean {
  const own = problemPathsOf(m);
  if (own.length === 0) return true;
  if (m.type !== 'workflow') return false;
  const rawDag = rawAt(sourceDocOf(m)?.value, ['workflow', 'dag']);
  if (!Array.isArray(rawDag) || rawDag.length !== m.workflow.dag.length) return false;
  const subject = path.slice(0, 6); // workflow.dag[i].spec.stackSpec.<role>, or shorter
  return !own.some((p) => subject.every((seg, k) => p[k] === seg) && subject.length >= 4);
}

/** Groups manifests by type. */
export function toManifestSet(manifests: Manifest[]): ManifestSet {
  return {
    manifests,
    lakehouses: manifests.filter((m) => m.type === 'lakehouse'),
    depots: manifests.filter((m) => m.type === 'depot'),
    secrets: manifests.filter((m) => m.type === 'instance-secret'),
    workflows: manifests.filter((m) => m.type === 'workflow'),
  };
}

/**
 * Loads manifests from files and folders (folders recursively, `*.yaml` / `*.yml`, in sorted order),
 * validates each document, then checks them together (depots, secrets, DAGs). Never throws for bad
 * input: every problem is returned with its `file:line:col`. File paths in problems are as given.
 * @example const { set, problems } = await loadManifests(['examples/quickstart']);
 */
export async function loadManifests(paths: string[]): Promise<{ set: ManifestSet; problems: Problem[] }> {
  const problems: Problem[] = [];
  const files: { file: string; scope: string }[] = [];
  for (const p of paths) {
    try {
      const isDir = (await stat(p)).isDirectory();
      for (const file of await yamlFilesUnder(p)) files.push({ file, scope: isDir ? resolve(dirname(file)) : '' });
    } catch {
      problems.push({ file: p, line: 1, col: 1, message: 'no such file or folder' });
    }
  }
  const { manifests, partial } = await parseFiles(files, problems);
  const set = toManifestSet(manifests);
  // Manifests with problems of their own still count as declared (no cascade of "unknown depot");
  // their cross-manifest problems are kept only where they do not follow from those problems.
  problems.push(...crossChecks(toManifestSet([...manifests, ...partial]), independentOfOwnProblems));
  return { set, problems: sortProblems(problems) };
}

/** Reads and parses each file once; problems are appended to `problems`. */
async function parseFiles(files: { file: string; scope: string }[], problems: Problem[]) {
  const manifests: Manifest[] = [];
  const partial: Manifest[] = [];
  const seen = new Set<string>();
  for (const { file, scope } of files) {
    if (seen.has(resolve(file))) continue;
    seen.add(resolve(file));
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      problems.push({ file, line: 1, col: 1, message: `cannot read file: ${code}` });
      continue;
    }
    const r = parseWithPartial(text, file);
    for (const m of [...r.manifests, ...r.partial]) setScope(m, scope);
    manifests.push(...r.manifests);
    partial.push(...r.partial);
    problems.push(...r.problems);
  }
  return { manifests, partial };
}

async function yamlFilesUnder(path: string): Promise<string[]> {
  const s = await stat(path);
  if (!s.isDirectory()) return [path];
  const out: string[] = [];
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue; // e.g. .icefloe/ run state
    const child = join(path, e.name);
    if (e.isDirectory()) out.push(...(await yamlFilesUnder(child)));
    else if (/\.ya?ml$/i.test(e.name)) out.push(child);
  }
  return out;
}

/** Problems in file order, then line and column (stable for tests and humans). */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

/** `path:line:col: message`, with the path relative to `cwd` when it is inside it. */
export function formatProblem(p: Problem, cwd = process.cwd()): string {
  const rel = relative(cwd, p.file);
  const file = rel && !rel.startsWith('..') ? rel : p.file;
  return `${file}:${p.line}:${p.col}: ${p.message}`;
}
