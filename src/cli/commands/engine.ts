/**
 * `switchboard engine`: the SIP engine alone, as a drachtio-server that external
 * drachtio-srf applications connect to.
 *
 * @example
 *   $ switchboard engine --sip udp:127.0.0.1:5080,tcp:127.0.0.1:5080 --control 127.0.0.1:9022 --secret s3cret
 */
import { Engine } from '../../engine/engine.js';
import { parseListenSpecs } from '../../engine/transport/index.js';
import { SwitchboardError, isSwitchboardError } from '../../util/errors.js';
import { createLogger, type Logger } from '../../util/logger.js';
import { parseOptions } from '../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';

export const summary = 'run the SIP engine alone (drachtio-server compatible)';

const USAGE = `usage: switchboard engine --sip LIST [--control HOST:PORT --secret S] [options]

  --sip LIST            SIP listeners, comma-separated: udp:127.0.0.1:5060,tcp:[::1]:5060
  --control HOST:PORT   drachtio control port for drachtio-srf applications
  --secret S            shared secret applications authenticate with (or SWITCHBOARD_SECRET)
  --t1 MS               RFC 3261 T1 (default 500)
  --log-level LEVEL     trace, debug, info (default), warn, error
Without --control every request is answered by the engine itself (503 for lack of an application).
Stops cleanly on SIGTERM and SIGINT.`;

export async function run(argv: string[]): Promise<number> {
  let logger: Logger | undefined;
  try {
    const o = parseOptions(argv, {
      sip: { type: 'string' },
      control: { type: 'string' },
      secret: { type: 'string' },
      t1: { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (o.help) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    if (o.sip === undefined) throw new SwitchboardError('SB_USAGE', '--sip is required');
    const sip = parseListenSpecs(o.sip);
    const control = o.control === undefined ? undefined : parseControl(o.control, o.secret ?? process.env['SWITCHBOARD_SECRET']);
    const t1 = o.t1 === undefined ? undefined : positiveInt(o.t1, '--t1');
    logger = createLogger({ level: o['log-level'] ?? 'info' });
    const engine = await Engine.start({ sip, control, timers: t1 === undefined ? undefined : { t1 }, logger });
    logger.info({ sip: engine.listeners.map((l) => l.spec), control: engine.control }, 'switchboard engine started');
    await untilSignal();
    logger.info('stopping');
    await engine.stop();
    return EXIT_OK;
  } catch (err) {
    if (isSwitchboardError(err, 'SB_USAGE')) {
      process.stderr.write(`switchboard engine: ${err.message}\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    if (isSwitchboardError(err)) {
      process.stderr.write(`switchboard engine: ${err.message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
}

/** `HOST:PORT` (IPv6 in brackets) plus the secret, which must not be empty. */
export function parseControl(text: string, secret: string | undefined): { host: string; port: number; secret: string } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  if (m === null) throw new SwitchboardError('SB_USAGE', `--control must be HOST:PORT, got '${text}'`);
  const port = positiveInt(m[3]!, '--control port');
  if (port > 65535) throw new SwitchboardError('SB_USAGE', `--control port must be at most 65535, got ${port}`);
  if (secret === undefined || secret.length === 0) throw new SwitchboardError('SB_USAGE', '--control needs --secret (or SWITCHBOARD_SECRET)');
  return { host: m[1] ?? m[2]!, port, secret };
}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new SwitchboardError('SB_USAGE', `${what} must be a positive integer, got '${text}'`);
  return n;
}

/** Resolves on the first SIGTERM or SIGINT. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (sig: NodeJS.Signals): void => {
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      resolve(sig);
    };
    process.on('SIGTERM', done);
    process.on('SIGINT', done);
  });
}
