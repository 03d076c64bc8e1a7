import { InvalidInputError } from '../../core/errors';
import { formatProblem, loadManifests } from '../../core/manifest';
import type { ManifestSet } from '../../core/manifest/types';
import { parseCommandArgs } from '../args';
import type { Command } from '../command';

const HELP = `usage: icefloe validate <file|dir>... [--json]

Checks DataOS-style manifests (lakehouse, depot, instance-secret, workflow) without running anything.
Folders are read recursively (*.yaml, *.yml; hidden folders such as .icefloe/ are skipped); files
may hold several documents separated by ---. All files are checked together, so a workflow's
dataos:// addresses must resolve to a depot declared (or created by a lakehouse) among them.

Checks: YAML syntax, fields and types of every manifest, Nilus job options (both spellings,
e.g. source-table and source_table; unknown options suggest the nearest one), unique DAG job
names, dependencies that exist and form no cycle, sink strategies (merge needs primary-key),
cron expressions and time zones, secrets that exist.

options:
  --json     print {"ok", "counts", "problems"} as JSON on stdout instead of text

exit codes:
  0  all manifests are valid; prints one summary line, e.g.
     "ok: 4 manifests (1 lakehouse, 1 depot, 1 instance-secret, 1 workflow) in 2 files"
  2  invalid; prints one "path:line:col: message" line per problem on stderr, all at once

examples:
  icefloe validate examples/
  icefloe validate examples/quickstart/workflow.yaml examples/quickstart/lakehouse.yaml

The manifest reference is docs/manifests.md.`;

function summary(set: ManifestSet, files: number): string {
  const parts = [
    [set.lakehouses.length, 'lakehouse'],
    [set.depots.length, 'depot'],
    [set.secrets.length, 'instance-secret'],
    [set.workflows.length, 'workflow'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, t]) => `${n} ${t}`);
  const total = set.manifests.length;
  return `ok: ${total} manifest${total === 1 ? '' : 's'} (${parts.join(', ') || 'none'}) in ${files} file${files === 1 ? '' : 's'}`;
}

/** `icefloe validate <file|dir>...`: exit 0 when valid, exit 2 with `path:line:col: message` lines. */
export const command: Command = {
  summary: 'check manifests (lakehouse, depot, instance-secret, workflow); exit 2 with path:line:col problems',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length === 0)
      throw new InvalidInputError('validate needs at least one file or folder (see icefloe validate --help)');
    const { set, problems } = await loadManifests(positionals);
    const files = new Set(set.manifests.map((m) => m.source.file)).size;
    if (values.json) {
      const counts = {
        lakehouse: set.lakehouses.length,
        depot: set.depots.length,
        'instance-secret': set.secrets.length,
        workflow: set.workflows.length,
      };
      io.stdout.write(`${JSON.stringify({ ok: problems.length === 0, counts, problems })}\n`);
      return problems.length === 0 ? 0 : 2;
    }
    if (problems.length > 0) {
      io.stderr.write(`${problems.map((p) => formatProblem(p)).join('\n')}\n`);
      return 2;
    }
    if (set.manifests.length === 0) {
      io.stderr.write(`error: no manifests found in ${positionals.join(', ')}\n`);
      return 2;
    }
    io.stdout.write(`${summary(set, files)}\n`);
    return 0;
  },
};
