/**
 * `switchboard check --config FILE`: validate a configuration without starting anything.
 * Prints `OK: FILE (…counts…)` and exits 0, or every error as FILE:LINE:COLUMN lines on
 * stderr and exits 1.
 *
 * @example
 *   $ switchboard check --config config/switchboard.example.yaml
 *   OK: config/switchboard.example.yaml (9 rules, 3 queues, 4 agents, 6 users, 2 trunks, 4 schedules, 1 IVR menu, 3 voicemail boxes)
 */
import { ConfigError, formatIssue, loadConfigFile, type Config } from '../../config/index.js';
import { isSwitchboardError } from '../../util/errors.js';
import { parseOptions } from '../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

export const summary = 'validate a configuration file';

const USAGE = `usage: switchboard check --config FILE

Validates FILE and prints OK with a summary, or every error as FILE:LINE:COLUMN: key: message.
Exit codes: 0 valid, 1 invalid or unreadable, 2 usage.`;

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "9 rules, 3 queues, …" */
export function describeConfig(config: Config): string {
  return [
    count(config.routes.length, 'rule', 'rules'),
    count(Object.keys(config.queues).length, 'queue', 'queues'),
    count(Object.keys(config.agents).length, 'agent', 'agents'),
    count(Object.keys(config.users).length, 'user', 'users'),
    count(Object.keys(config.trunks).length, 'trunk', 'trunks'),
    count(Object.keys(config.schedules).length, 'schedule', 'schedules'),
    count(Object.keys(config.ivr).length, 'IVR menu', 'IVR menus'),
    count(Object.keys(config.voicemail).length, 'voicemail box', 'voicemail boxes'),
  ].join(', ');
}

export async function run(argv: string[]): Promise<number> {
  let options: { config?: string; help?: boolean };
  try {
    options = parseOptions(argv, { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } });
  } catch (err) {
    if (!isSwitchboardError(err, 'SB_USAGE')) throw err;
    process.stderr.write(`switchboard check: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (options.config === undefined) {
    process.stderr.write('switchboard check: --config FILE is required\n');
    return EXIT_USAGE;
  }
  try {
    const config = await loadConfigFile(options.config);
    process.stdout.write(`OK: ${options.config} (${describeConfig(config)})\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const issue of err.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      process.stderr.write(`FAILED: ${options.config} (${count(err.issues.length, 'error', 'errors')})\n`);
      return EXIT_INVALID;
    }
    if (isSwitchboardError(err, 'SB_CONFIG_READ')) {
      process.stderr.write(`${err.message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
}
