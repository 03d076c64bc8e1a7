import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadManifests } from '../../../core/manifest';

/**
 * Golden malformed manifests: each `bad/<case>.yaml` sits beside `bad/<case>.expected`, one
 * `line:col: message` per expected problem. Every problem must name the file, line, column and message.
 */
const ROOT = join(__dirname, '..', '..', '..');
const BAD = join(ROOT, 'test', 'fixtures', 'manifests', 'bad');
const cases = readdirSync(BAD)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({
    name: f.replace(/\.yaml$/, ''),
    file: relative(ROOT, join(BAD, f)),
    expected: readFileSync(join(BAD, f.replace(/\.yaml$/, '.expected')), 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  }));

describe('malformed manifests', () => {
  it('has at least 40 cases, each expecting at least one problem', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of cases)
      expect({ case: c.name, count: c.expected.length > 0 }).toEqual({ case: c.name, count: true });
  });

  it.each(cases)('$name', async ({ file, expected }) => {
    const { problems } = await loadManifests([join(ROOT, file)]);
    expect(problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual(expected);
    for (const p of problems) expect(p.file).toBe(join(ROOT, file));
  });
});
