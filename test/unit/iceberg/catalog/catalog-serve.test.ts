/** `icefloe catalog serve`: starts a REST catalog server, answers REST clients, stops on SIGINT. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { command } from '../../../../cli/commands/catalog';
import { RestCatalog } from '../../../../core/iceberg/catalog/rest-catalog';
import { LocalFileIO } from '../../../../core/iceberg/io/local';

const dir = mkdtempSync(join(tmpdir(), 'icefloe-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('icefloe catalog serve', () => {
  it('serves the file catalog of a warehouse folder until interrupted', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c) => {
      text += String(c);
    });
    const running = command.run(['serve', '--port', '0', '--warehouse', dir], {
      stdout,
      stderr: new PassThrough(),
      isTTY: false,
    });
    for (let i = 0; i < 100 && !/listening on/.test(text); i++) await new Promise((r) => setTimeout(r, 20));
    const url = /listening on (http:\/\/\S+)/.exec(text)?.[1] as string;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new RestCatalog({ uri: url }, new LocalFileIO());
    await client.createNamespace(['served']);
    expect(await client.listNamespaces()).toEqual([['served']]);
    process.emit('SIGINT');
    await expect(running).resolves.toBe(0);
  });

  it('rejects unknown subcommands and catalog types with exit code 2 errors', async () => {
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), isTTY: false };
    await expect(command.run(['start'], io)).rejects.toMatchObject({ name: 'InvalidInputError', exitCode: 2 });
    await expect(command.run(['serve', '--catalog', 'nope'], io)).rejects.toMatchObject({ exitCode: 2 });
    await expect(command.run(['serve', '--port', 'x'], io)).rejects.toMatchObject({ exitCode: 2 });
  });
});
