/**
 * Which trunk sent a request: by source address (longest-prefix match over every
 * trunk's `inbound.sources`, IPv4 and IPv6), or by digest username for trunks that
 * authenticate. The SIP layer calls this before routing; a trunk with both sources and
 * digest credentials must pass both.
 *
 * @example
 *   const trunks = new TrunkIdentifier(config);
 *   trunks.bySource('203.0.113.7');    // { trunk: 'carrier-a', cidr: '203.0.113.0/24', digest: false }
 *   trunks.byUsername('carrier-b');    // 'carrier-b' (challenge with its credentials)
 */
import type { Config } from '../config/schema/config.js';
import { CidrTable, parseCidr } from './ip-address.js';

export interface SourceMatch {
  readonly trunk: string;
  /** The matching network, canonical CIDR text. */
  readonly cidr: string;
  /** The trunk also requires digest authentication. */
  readonly digest: boolean;
}

export class TrunkIdentifier {
  private readonly sources = new CidrTable<string>();
  private readonly usernames = new Map<string, string>();
  private readonly needsDigest = new Set<string>();

  constructor(config: Config) {
    for (const [name, trunk] of Object.entries(config.trunks)) {
      const inbound = trunk.inbound;
      if (!inbound) continue;
      for (const source of inbound.sources ?? []) {
        const parsed = parseCidr(source);
        if (parsed.ok) this.sources.add(parsed.cidr, name);
      }
      if (inbound.digest) {
        this.usernames.set(inbound.digest.username, name);
        this.needsDigest.add(name);
      }
    }
  }

  /** The trunk whose most specific source network contains the address. */
  bySource(address: string): SourceMatch | undefined {
    const hit = this.sources.lookup(address);
    if (!hit) return undefined;
    return { trunk: hit.value, cidr: hit.cidr.text, digest: this.needsDigest.has(hit.value) };
  }

  /** The trunk that authenticates with this digest username. */
  byUsername(username: string): string | undefined {
    return this.usernames.get(username);
  }
}
