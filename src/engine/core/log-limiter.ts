import type { Logger } from '../../util/logger.js';

/**
 * Logs bad input at most `perSecond` times a second and counts the rest, so a flood of
 * garbage cannot turn into a flood of log lines. The next line logged after a quiet
 * period reports how many were suppressed.
 *
 * @example const warnBad = new LogLimiter(logger, 10); warnBad.warn({ source }, 'malformed SIP: missing Via');
 */
export class LogLimiter {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly perSecond = 20,
    private readonly now: () => number = Date.now,
  ) {}

  warn(fields: Record<string, unknown>, message: string): void {
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.windowStart = t;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.perSecond) {
      this.suppressed++;
      return;
    }
    this.inWindow++;
    if (this.suppressed > 0) {
      this.logger.warn({ ...fields, suppressed: this.suppressed }, message);
      this.suppressed = 0;
    } else this.logger.warn(fields, message);
  }
}
