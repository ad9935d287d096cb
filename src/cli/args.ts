import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SwitchboardError } from '../util/errors.js';

/**
 * Strict option parsing shared by every subcommand: unknown options and missing
 * values are usage errors (exit 2), reported in one line.
 */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new SwitchboardError('SB_USAGE', err instanceof Error ? err.message : String(err));
  }
}
