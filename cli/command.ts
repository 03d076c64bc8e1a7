/**
 * A CLI command: one file in `cli/commands/<name>.ts` exporting `command`.
 * The dispatcher (`cli/main.ts`) finds commands by file name, so adding a command touches no other file.
 */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** True when stdout is a terminal (progress bars); false in CI, pipes and tests. */
  isTTY: boolean;
}

export interface Command {
  /** One line for `icefloe --help`. */
  summary: string;
  /** The full `icefloe <name> --help` text: usage line, arguments, options, examples. */
  help: string;
  /** Runs the command; returns the exit code (0 ok, 1 failed, 2 invalid input). Throw IcefloeError for errors. */
  run(argv: string[], io: CliIO): Promise<number>;
}
