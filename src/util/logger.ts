import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * One root logger for the process; modules and calls take children
 * (`logger.child({ module: 'transport' })`, `logger.child({ callId })`).
 * JSON to stdout, pretty-printed when stdout is a terminal.
 */
export function createLogger(opts: { level?: string; pretty?: boolean; name?: string } = {}): Logger {
  const options: LoggerOptions = {
    name: opts.name ?? 'switchboard',
    level: opts.level ?? process.env.SWITCHBOARD_LOG_LEVEL ?? 'info',
    redact: { paths: ['*.password', '*.secret', '*.authorization', '*.token'], censor: '[redacted]' },
  };
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}

/** A logger that discards everything; the default for library code used in tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
