/**
 * @middy/core 6 ships ESM only, and the project's jest config transforms only a few ESM packages. For these
 * tests the real middy source is compiled to CommonJS with esbuild (a dev dependency) and loaded as a module,
 * so the handlers run through genuine middy; `jest.mock('@middy/core', () => middyAsCjs())` wires it in.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { transformSync } from 'esbuild';

export function middyAsCjs(): unknown {
  const file = join(__dirname, '..', '..', '..', 'node_modules', '@middy', 'core', 'index.js');
  const { code } = transformSync(readFileSync(file, 'utf8'), {
    format: 'cjs',
    loader: 'js',
    platform: 'node',
    target: 'node20',
  });
  const m = new Module(file) as Module & { _compile(code: string, file: string): void };
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(file);
  m._compile(code, file);
  return m.exports;
}
