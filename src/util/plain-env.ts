/**
 * Makes `process.env` a plain object holding the same variables. drachtio-srf reads
 * `process.env.DRACHTIO_PRESERVE_HEADER_NAMES` for every header of every SIP message it
 * parses, and each read of Node's real `process.env` is a call into C++ (`getenv`); at a
 * thousand calls a second that was 6 % of the application thread.
 *
 * Consequences, which is why only `switchboard start` (and the bench that mirrors it) does
 * this, once, at start-up: variables set later reach child processes (spawn reads the
 * object) but not native code, worker threads started with the default environment, or
 * the time zone (`TZ`). Switchboard sets no variables at run time and passes time zones
 * explicitly.
 */
export function usePlainEnvironment(): void {
  if (Object.getPrototypeOf(process.env) === Object.prototype) return;
  process.env = { ...process.env };
}
