/**
 * `switchboard route`: a dry run of one routing decision, with the trace that explains
 * it, so an admin can test a rule change before deploying it.
 *
 * The live state is assumed healthy unless told otherwise: every user registered, every
 * gateway in service, every queue empty; --unregistered, --gateway-down and
 * --queue-length change that.
 *
 * @example
 *   $ switchboard route --config config/switchboard.example.yaml --to 18005550100 \
 *       --from +14155550123 --trunk carrier-a --header X-Tier=gold --at 2026-11-26T15:00:00Z
 */
import { DateTime } from 'luxon';
import { ConfigError, formatIssue, loadConfigFile, type Config } from '../../config/index.js';
import { compileRouter, formatDecision, InMemoryRoutingState } from '../../routing/index.js';
import { didYouMean } from '../../config/suggest.js';
import { isSwitchboardError, SwitchboardError } from '../../util/errors.js';
import { parseOptions } from '../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

export const summary = 'dry-run one routing decision and print its trace';

const USAGE = `usage: switchboard route --config FILE --to NUMBER --at ISO-8601 [options]

  --config FILE         configuration file
  --to NUMBER           called number (raw; normalised like a real call)
  --at ISO-8601         the instant, with an offset or Z, e.g. 2026-11-26T10:00:00-05:00
  --from NUMBER         caller number (default "anonymous")
  --trunk NAME          the trunk the call arrives on
  --source ADDRESS      source IP address; identifies the trunk when --trunk is absent
  --header NAME=VALUE   an INVITE header (repeatable)
  --unregistered USER   treat USER as not registered (repeatable; default: all registered)
  --gateway-down URI    treat a gateway as out of service (repeatable)
  --queue-length Q=N    N callers already waiting in queue Q (repeatable; default 0)
  --json                print the decision as JSON

Exit codes: 0 decided, 1 invalid configuration or input, 2 usage.`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  to: { type: 'string' },
  from: { type: 'string' },
  trunk: { type: 'string' },
  source: { type: 'string' },
  header: { type: 'string', multiple: true },
  at: { type: 'string' },
  json: { type: 'boolean' },
  unregistered: { type: 'string', multiple: true },
  'gateway-down': { type: 'string', multiple: true },
  'queue-length': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const OFFSET_RE = /(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)$/i;

/** Epoch ms of an ISO 8601 instant that carries an offset; a local time alone is ambiguous. */
function parseInstant(text: string): number {
  const dt = DateTime.fromISO(text, { setZone: true });
  if (!dt.isValid || !OFFSET_RE.test(text)) {
    throw new SwitchboardError(
      'SB_USAGE',
      `--at ${JSON.stringify(text)} is not an ISO 8601 instant with an offset; write e.g. 2026-11-26T10:00:00-05:00 or 2026-11-26T15:00:00Z`,
    );
  }
  return dt.toMillis();
}

function splitPairs(values: readonly string[] | undefined, option: string): [string, string][] {
  return (values ?? []).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SwitchboardError('SB_USAGE', `--${option} ${JSON.stringify(pair)}: write NAME=VALUE`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

interface Request {
  configPath: string;
  to: string;
  from: string;
  trunk?: string;
  source?: string;
  headers: Record<string, string>;
  instant: number;
  at: string;
  json: boolean;
  unregistered: readonly string[];
  gatewaysDown: readonly string[];
  queueLengths: Record<string, number>;
}

function parseRequest(argv: string[]): Request | 'help' {
  const o = parseOptions(argv, OPTIONS);
  if (o.help) return 'help';
  if (o.config === undefined) throw new SwitchboardError('SB_USAGE', '--config FILE is required');
  if (o.to === undefined || o.to === '') throw new SwitchboardError('SB_USAGE', '--to NUMBER is required');
  if (o.at === undefined) throw new SwitchboardError('SB_USAGE', '--at ISO-8601 is required, e.g. --at 2026-11-26T15:00:00Z');
  const queueLengths: Record<string, number> = {};
  for (const [queue, n] of splitPairs(o['queue-length'], 'queue-length')) {
    if (!/^[0-9]+$/.test(n)) throw new SwitchboardError('SB_USAGE', `--queue-length ${queue}=${n}: the length must be a whole number`);
    queueLengths[queue] = Number(n);
  }
  return {
    configPath: o.config,
    to: o.to,
    from: o.from ?? 'anonymous',
    ...(o.trunk === undefined ? {} : { trunk: o.trunk }),
    ...(o.source === undefined ? {} : { source: o.source }),
    headers: Object.fromEntries(splitPairs(o.header, 'header')),
    instant: parseInstant(o.at),
    at: o.at,
    json: o.json === true,
    unregistered: o.unregistered ?? [],
    gatewaysDown: o['gateway-down'] ?? [],
    queueLengths,
  };
}

/** Names on the command line that the configuration does not define: invalid input, exit 1. */
function unknownNames(config: Config, r: Request): string[] {
  const problems: string[] = [];
  const check = (kind: string, name: string, defined: readonly string[]) => {
    if (!defined.includes(name)) problems.push(`unknown ${kind} ${JSON.stringify(name)}${didYouMean(name, defined)}; defined: ${defined.join(', ') || 'none'}`);
  };
  if (r.trunk !== undefined) check('trunk', r.trunk, Object.keys(config.trunks));
  for (const user of r.unregistered) check('user', user, Object.keys(config.users));
  for (const queue of Object.keys(r.queueLengths)) check('queue', queue, Object.keys(config.queues));
  return problems;
}

export async function run(argv: string[]): Promise<number> {
  let request: Request | 'help';
  try {
    request = parseRequest(argv);
  } catch (err) {
    if (!isSwitchboardError(err, 'SB_USAGE')) throw err;
    process.stderr.write(`switchboard route: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (request === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }

  let config: Config;
  try {
    config = await loadConfigFile(request.configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const issue of err.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      return EXIT_INVALID;
    }
    if (isSwitchboardError(err, 'SB_CONFIG_READ')) {
      process.stderr.write(`${err.message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
  const problems = unknownNames(config, request);
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`switchboard route: ${p}\n`);
    return EXIT_INVALID;
  }

  const unregistered = new Set(request.unregistered);
  const state = new InMemoryRoutingState({
    registered: Object.keys(config.users).filter((u) => !unregistered.has(u)),
    gatewaysOutOfService: request.gatewaysDown,
    queueLengths: request.queueLengths,
  });
  const decision = compileRouter(config).decide(
    {
      to: request.to,
      from: request.from,
      headers: request.headers,
      ...(request.trunk === undefined ? {} : { trunk: request.trunk }),
      ...(request.source === undefined ? {} : { sourceAddress: request.source }),
    },
    request.instant,
    state,
  );
  const at = new Date(request.instant).toISOString();
  process.stdout.write(request.json ? `${JSON.stringify({ at, ...decision }, null, 2)}\n` : formatDecision(decision, { at }));
  return EXIT_OK;
}
