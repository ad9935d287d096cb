/**
 * Requests the engine turns away before any transaction exists, as drachtio-server's
 * `spammers` setting does: known scanners by User-Agent (dropped silently or answered
 * 403); source addresses the application has blocked for a while (repeated failed
 * authentication), which are dropped; and, when unknown sources are to be dropped, a
 * request from outside every trusted network that neither carries credentials nor names
 * a known user in From (the application would refuse it anyway, and a reply tells a
 * scanner someone is there). Per request: one Map lookup, a CIDR lookup and a scan of a
 * short, fixed fragment list.
 *
 * @example
 *   const filter = new IngressFilter({ scanners: ['friendly-scanner'], scannerAction: 'drop' });
 *   filter.block('192.0.2.9', 300_000);
 *   filter.check(req, '192.0.2.9');   // 'drop'
 */
import { CidrTable, parseCidr } from '../../routing/ip-address.js';
import { parseUri, type SipRequest } from '../message/index.js';

export interface IngressFilterOptions {
  /** User-Agent fragments of scanners, matched case-insensitively. */
  readonly scanners?: readonly string[];
  readonly scannerAction?: 'drop' | 'reject';
  /** Most blocked addresses held; the oldest block goes first. */
  readonly maxBlocked?: number;
  readonly now?: () => number;
  /** Drop requests from unknown sources (security.unknown_sources: drop). */
  readonly unknownSources?: {
    /** Trunk networks (CIDR or address): always passed on. */
    readonly trusted: readonly string[];
    /** Users and trunk digest usernames that may authenticate from anywhere (From user). */
    readonly knownUsers: readonly string[];
  };
}

export type IngressVerdict = 'drop' | 'reject' | undefined;

export class IngressFilter {
  private readonly fragments: readonly string[];
  private readonly action: 'drop' | 'reject';
  private readonly blocked = new Map<string, number>();
  private readonly maxBlocked: number;
  private readonly now: () => number;
  private readonly trusted: CidrTable<true> | undefined;
  private readonly knownUsers: ReadonlySet<string>;
  dropped = 0;

  constructor(o: IngressFilterOptions = {}) {
    const u = o.unknownSources;
    if (u !== undefined) {
      this.trusted = new CidrTable<true>();
      for (const c of u.trusted) {
        const r = parseCidr(c);
        if (r.ok) this.trusted.add(r.cidr, true);
      }
    }
    this.knownUsers = new Set(u?.knownUsers ?? []);
    this.fragments = (o.scanners ?? []).map((f) => f.toLowerCase());
    this.action = o.scannerAction ?? 'drop';
    this.maxBlocked = o.maxBlocked ?? 65_536;
    this.now = o.now ?? Date.now;
  }

  /** Blocks an address for `forMs` (0 unblocks). */
  block(address: string, forMs: number): void {
    this.blocked.delete(address);
    if (forMs <= 0) return;
    if (this.blocked.size >= this.maxBlocked) this.blocked.delete(this.blocked.keys().next().value!);
    this.blocked.set(address, this.now() + forMs);
  }

  check(req: SipRequest, sourceAddress: string): IngressVerdict {
    if (this.blocked.size > 0) {
      const until = this.blocked.get(sourceAddress);
      if (until !== undefined) {
        if (until > this.now()) return this.count('drop');
        this.blocked.delete(sourceAddress);
      }
    }
    if (this.fragments.length > 0) {
      const ua = req.get('user-agent');
      if (ua !== undefined) {
        const lower = ua.toLowerCase();
        for (const f of this.fragments) if (lower.includes(f)) return this.count(this.action);
      }
    }
    if (this.trusted !== undefined && req.method !== 'ACK' && !this.mayAuthenticate(req, sourceAddress)) return this.count('drop');
    return undefined;
  }

  private mayAuthenticate(req: SipRequest, sourceAddress: string): boolean {
    if (this.trusted!.lookup(sourceAddress) !== undefined) return true;
    if (req.get('authorization') !== undefined || req.get('proxy-authorization') !== undefined) return true;
    // In-dialog requests (To tag) belong to calls that were admitted.
    if (req.toTag !== undefined) return true;
    const from = req.from;
    const uri = from === null ? null : parseUri(from.uri);
    return uri !== null && 'user' in uri && uri.user !== undefined && this.knownUsers.has(uri.user);
  }

  private count(v: 'drop' | 'reject'): IngressVerdict {
    this.dropped++;
    return v;
  }
}
