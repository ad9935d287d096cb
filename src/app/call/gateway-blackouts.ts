/**
 * Gateways taken out of service for a while: a gateway that answers 503 with Retry-After
 * is skipped until that time has passed (RFC 3261 §21.5.4), and one that does not
 * respond at all is skipped for a short default period.
 *
 * @example
 *   const blackouts = new GatewayBlackouts(Date.now);
 *   blackouts.suspend('sip:127.0.0.1:5080', 30_000);
 *   blackouts.isInService('sip:127.0.0.1:5080'); // false for the next 30 s
 */
export class GatewayBlackouts {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  suspend(gateway: string, forMs: number): void {
    const end = this.now() + forMs;
    if ((this.until.get(gateway) ?? 0) < end) this.until.set(gateway, end);
  }

  isInService(gateway: string): boolean {
    const end = this.until.get(gateway);
    if (end === undefined) return true;
    if (end > this.now()) return false;
    this.until.delete(gateway);
    return true;
  }

  /** Gateways out of service now (for the admin API and logs). */
  suspended(): string[] {
    return [...this.until.keys()].filter((g) => !this.isInService(g));
  }
}

/** Seconds from a Retry-After header ("120", "120;duration=60", "120 (lunch)"), or undefined. */
export function retryAfterSeconds(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*(\d{1,9})/.exec(header);
  return m ? Number(m[1]) : undefined;
}
