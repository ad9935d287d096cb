/**
 * `switchboard schema`: print the configuration's JSON Schema, for editors. The same text
 * is committed as docs/schema/switchboard.schema.json.
 *
 * @example
 *   $ switchboard schema > switchboard.schema.json
 */
import { configJsonSchemaText } from '../../config/json-schema.js';
import { isSwitchboardError } from '../../util/errors.js';
import { parseOptions } from '../args.js';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

export const summary = "print the configuration's JSON Schema (for editors)";

export async function run(argv: string[]): Promise<number> {
  let options: { help?: boolean };
  try {
    options = parseOptions(argv, { help: { type: 'boolean', short: 'h' } });
  } catch (err) {
    if (!isSwitchboardError(err, 'SB_USAGE')) throw err;
    process.stderr.write(`switchboard schema: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (options.help) {
    process.stdout.write('usage: switchboard schema\n\nPrints the JSON Schema of the configuration file to stdout.\n');
    return EXIT_OK;
  }
  process.stdout.write(configJsonSchemaText());
  return EXIT_OK;
}
