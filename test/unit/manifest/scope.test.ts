import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '../../../core/manifest';

const depot = (name: string) => `name: ${name}\nversion: v1\ntype: depot\ndepot:\n  type: generator\n`;

describe('folder scopes', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'icefloe-scope-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (rel: string, text: string) => {
    const file = join(root, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it('lets sibling folders declare the same name', async () => {
    write('x/d.yaml', depot('gen'));
    write('y/d.yaml', depot('gen'));
    const { set, problems } = await loadManifests([root]);
    expect(problems).toEqual([]);
    expect(set.depots).toHaveLength(2);
  });

  it('rejects a name declared in a folder and again below it', async () => {
    write('d.yaml', depot('gen'));
    const below = write('sub/d.yaml', depot('gen'));
    const { problems } = await loadManifests([root]);
    expect(problems).toEqual([
      { file: below, line: 1, col: 7, message: `duplicate depot 'gen' (also at ${join(root, 'd.yaml')}:1)` },
    ]);
  });

  it('treats files named on the command line as visible everywhere', async () => {
    const a = write('x/d.yaml', depot('gen'));
    const b = write('y/d.yaml', depot('gen'));
    const { problems } = await loadManifests([a, b]);
    expect(problems.map((p) => p.message)).toEqual([`duplicate depot 'gen' (also at ${a}:1)`]);
  });

  it('calls an address ambiguous when a workflow file sees two sibling depots of that name', async () => {
    write('x/d.yaml', depot('gen'));
    write('y/d.yaml', depot('gen'));
    write('z/pg.yaml', 'name: pg\nversion: v1\ntype: depot\ndepot:\n  type: postgresql\n  postgresql:\n    host: h\n');
    const wf = join(tmpdir(), `icefloe-scope-wf-${process.pid}.yaml`);
    writeFileSync(
      wf,
      'name: wf\nversion: v1\ntype: workflow\nworkflow:\n  dag:\n    - name: j\n      spec:\n        stack: nilus:1.0\n' +
        '        stackSpec:\n          source:\n            address: dataos://gen\n            options: { source-table: t }\n' +
        '          sink:\n            address: dataos://pg\n            options: { dest-table: s.t }\n',
    );
    try {
      const { problems } = await loadManifests([wf, root]);
      expect(
        problems.map((p) => `${p.line}:${p.col}: ${p.message.replace(root, '<root>').replace(root, '<root>')}`),
      ).toEqual([`11:22: source.address: depot 'gen' is ambiguous (defined in <root>/x/d.yaml, <root>/y/d.yaml)`]);
    } finally {
      rmSync(wf, { force: true });
    }
  });

  it('reads a file given twice (directly and through its folder) once', async () => {
    const a = write('d.yaml', depot('gen'));
    const { set, problems } = await loadManifests([a, root]);
    expect(problems).toEqual([]);
    expect(set.depots).toHaveLength(1);
  });
});
