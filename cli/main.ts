import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, exitCodeOf } from '../core/errors';
import type { CliIO, Command } from './command';

const COMMANDS_DIR = join(__dirname, 'commands');

function commandNames(): string[] {
  return readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
}

function loadCommand(name: string): Command | undefined {
  if (!/^[a-z][a-z-]*$/.test(name) || !existsSync(join(COMMANDS_DIR, `${name}.ts`))) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(COMMANDS_DIR, name)) as { command: Command }).command;
}

function usage(): string {
  const rows = commandNames().map((n) => `  ${n.padEnd(10)} ${loadCommand(n)?.summary ?? ''}`);
  return [
    'icefloe — a serverless lakehouse and batch data mover for AWS (Iceberg on S3, Postgres, Step Functions)',
    '',
    'usage: icefloe <command> [options]',
    '',
    'commands:',
    ...rows,
    '',
    "Run `icefloe <command> --help` for a command's options.",
    'Exit codes: 0 success, 1 the job or command failed, 2 invalid input. --verbose prints stack traces.',
  ].join('\n');
}

/** Runs the CLI with the given arguments; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    io.stdout.write(`${(require('../package.json') as { version: string }).version}\n`);
    return 0;
  }
  const command = loadCommand(name);
  if (!command) {
    io.stderr.write(`error: unknown command '${name}'; commands: ${commandNames().join(', ')}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    io.stderr.write(`error: ${describeError(err)}\n`);
    if (verbose && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return exitCodeOf(err);
  }
}

function defaultIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, isTTY: Boolean(process.stdout.isTTY) };
}
