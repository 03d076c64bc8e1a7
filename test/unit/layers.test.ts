import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function* tsFiles(dir: string): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

function importsUnder(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /(?:from\s+|require\(|import\()\s*['"]([^'"]+)['"]/g;
  for (const file of tsFiles(join(ROOT, dir))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(re)) out.push([relative(ROOT, file), m[1] ?? '']);
  }
  return out;
}

// DESIGN.md: core/ is the product and never depends on CDK, handlers or the CLI;
// lambdas/ and statemachines/ never pull in CDK.
describe.each([
  { dir: 'core', forbid: /^(aws-cdk-lib|constructs|cdk-nag|@middy\/)|\/(lib|lambdas|cli|bin)\// },
  { dir: 'lambdas', forbid: /^(aws-cdk-lib|constructs|cdk-nag)|\/(lib|cli|bin)\// },
  { dir: 'statemachines', forbid: /^(aws-cdk-lib|constructs|cdk-nag)|\/(lib|lambdas|cli|bin)\// },
])('$dir keeps its layer', ({ dir, forbid }) => {
  it('imports nothing from the layers above it', () => {
    const bad = importsUnder(dir).filter(([, spec]) => forbid.test(spec));
    expect(bad).toEqual([]);
  });
});
