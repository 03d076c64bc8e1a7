import { main } from '../cli/main';

/**
 * Exits once the command is done and its output is written: a library may leave a timer behind (the embedded
 * PGlite keeps Postgres's 10 s idle-statistics timer after it is closed), which would hold the process
 * for nothing. Parked move workers are unref'd and end with the process.
 */
function exit(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(exit, (err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  exit(1);
});
