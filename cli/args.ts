import { type ParseArgsConfig, parseArgs } from 'node:util';
import { InvalidInputError } from '../core/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments strictly (unknown options are an InvalidInputError, exit 2).
 * @example const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } });
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InvalidInputError((err as Error).message.replace(/\. To specify.*$/s, ''));
  }
}
