#!/usr/bin/env node
/**
 * The `switchboard` command. Each subcommand lives in its own module under
 * ./commands and exports `run(argv): Promise<number>` returning the exit code.
 *
 * Exit codes: 0 ok, 1 invalid input or config, 2 usage.
 */
import { EXIT_USAGE } from './exit-codes.js';

type CommandModule = { run(argv: string[]): Promise<number>; summary: string };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  start: () => import('./commands/start.js'),
  engine: () => import('./commands/engine.js'),
  check: () => import('./commands/check.js'),
  route: () => import('./commands/route.js'),
  schema: () => import('./commands/schema.js'),
};

const USAGE = `usage: switchboard <command> [options]

commands:
  start  --config FILE           run the SIP engine and the application (the main job)
  engine --sip LIST [...]        run the SIP engine alone (drachtio-server compatible)
  check  --config FILE           validate a configuration file
  route  --config FILE --to N    dry-run one routing decision and print its trace
  schema                         print the configuration's JSON Schema (for editors)

Run 'switchboard <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name === undefined ? EXIT_USAGE : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`switchboard: unknown command '${name}'\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const command = await load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`switchboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
