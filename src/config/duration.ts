/**
 * Durations in the configuration are strings with a unit ("500ms", "20s", "10m", "1h")
 * so that nobody has to guess whether `timeout: 20` means seconds or milliseconds.
 *
 * @example
 *   parseDuration('1.5s'); // 1500
 *   parseDuration('20');   // undefined: a unit is required
 *   formatDuration(90_000); // "90s"
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** A number (decimals allowed) immediately followed by one of the units ms, s, m, h. */
export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$';
const DURATION_RE = new RegExp(DURATION_PATTERN);

/** Milliseconds for a duration string, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_RE.exec(text);
  if (!match) return undefined;
  const unit = match[2] as keyof typeof UNIT_MS;
  const ms = Number(text.slice(0, text.length - unit.length)) * UNIT_MS[unit];
  // Sub-millisecond remainders ("0.5ms") have no meaning for SIP or ACD timers.
  return Number.isInteger(ms) ? ms : undefined;
}

/** The shortest exact rendering of a duration in the largest unit that divides it. */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms !== 0 && ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  if (ms % UNIT_MS.s === 0) return `${ms / UNIT_MS.s}s`;
  return `${ms}ms`;
}
