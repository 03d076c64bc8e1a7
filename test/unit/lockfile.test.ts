import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// `npm ci` refuses a lock that lacks an entry for any optional dependency; this workplace's registry mirror
// serves no darwin/win32/musl builds, so `npm install` writes such a lock. scripts/complete-lockfile.js
// (`npm run lock:complete`) adds the entries; this test fails when someone forgot to run it.
describe('package-lock.json', () => {
  it('has an entry for every optional dependency, so `npm ci` accepts it', () => {
    const lock = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>;
    };
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
        const nested = `${path ? `${path}/` : ''}node_modules/${dep}`;
        if (!lock.packages[nested] && !lock.packages[`node_modules/${dep}`]) missing.push(`${path} → ${dep}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
