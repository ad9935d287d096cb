/**
 * Recognises SIP scanners by User-Agent: a case-insensitive substring match against a
 * deny list (config `security.scanners.user_agents`), compiled once into one regular
 * expression so a request costs a single linear scan of its User-Agent.
 *
 * @example
 *   const scanners = new ScannerFilter(['friendly-scanner', 'sipvicious']);
 *   scanners.matches('Friendly-Scanner 1.0'); // 'friendly-scanner'
 *   scanners.matches('Yealink SIP-T46U');     // undefined
 */

export class ScannerFilter {
  private readonly pattern: RegExp | undefined;
  private readonly byLowerCase = new Map<string, string>();

  constructor(fragments: readonly string[]) {
    const usable = fragments.filter((f) => f.length > 0);
    for (const f of usable) if (!this.byLowerCase.has(f.toLowerCase())) this.byLowerCase.set(f.toLowerCase(), f);
    this.pattern =
      usable.length === 0 ? undefined : new RegExp(usable.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
  }

  /** The configured fragment found in the User-Agent, or undefined (also for no User-Agent). */
  matches(userAgent: string | undefined): string | undefined {
    if (!this.pattern || !userAgent) return undefined;
    const hit = this.pattern.exec(userAgent);
    return hit ? (this.byLowerCase.get(hit[0].toLowerCase()) ?? hit[0]) : undefined;
  }
}
