/**
 * The inbound policy: whether an out-of-dialog request (INVITE, REGISTER, OPTIONS,
 * MESSAGE, SUBSCRIBE…) is admitted as a trunk's or a user's, challenged, refused or
 * dropped. Pure and time-injected; the SIP application turns the answer into a response.
 *
 * Order of decisions:
 *   1. a source blocked by the failure throttle          -> drop
 *   2. a scanner's User-Agent                            -> refuse 403 or drop (`security.scanners.action`)
 *   3. (not REGISTER) source inside a trunk's networks:
 *        trunk without digest                            -> trunk
 *        trunk with digest                               -> its credentials are verified
 *   4. credentials in our realm                          -> verified (user, or a digest-only trunk)
 *      no credentials, From user is a known username    -> challenge
 *   5. anything else                                     -> refuse 403 or drop (`security.unknown_sources`)
 *
 * REGISTER is always a user's (trunks do not register), challenged with 401
 * WWW-Authenticate; every other method with 407 Proxy-Authenticate. Credentials that do
 * not verify (wrong password, unknown username, garbage) count as a failure against the
 * source address and are refused with 403 — challenged, then refused — the same for
 * unknown and known usernames. Right credentials on an expired, already used or foreign
 * nonce (one issued before a restart) get a challenge with stale=true and count nothing:
 * a response that verifies proves the password whatever the nonce.
 *
 * Trunk call limits are a separate step, `acquireCall`, which the app makes for INVITEs
 * admitted as a trunk's: it holds a slot until the call ends, which only the app knows,
 * and REGISTER/OPTIONS from a trunk must not spend call tokens.
 *
 * Not handled here: ACK and CANCEL (RFC 3261 §22.1: they cannot be challenged; they
 * follow their INVITE) and requests inside a dialog, which belong to an admitted call.
 * The digest-uri is not compared with the Request-URI (proxies on the way may rewrite
 * it); each nonce is accepted once, so a captured response cannot be reused elsewhere.
 *
 * @example
 *   const policy = new InboundPolicy(config);
 *   const decision = policy.admit({ method: 'INVITE', sourceAddress: '203.0.113.7', requestUri: 'sip:100@pbx', fromUser: 'alice',
 *                                   userAgent: req.get('User-Agent'), proxyAuthorization: req.get('Proxy-Authorization') }, Date.now());
 *   switch (decision.kind) {
 *     case 'trunk': { const slot = policy.acquireCall(decision.trunk, Date.now()); … }
 *     case 'user': …
 *     case 'challenge': res.send(decision.status, { headers: { [decision.headerName]: decision.values } }); break;
 *     case 'refuse': res.send(decision.status, { headers: decision.retryAfter ? { 'Retry-After': decision.retryAfter } : {} }); break;
 *     case 'drop': break; // no answer at all
 *   }
 */
import type { Config } from '../config/schema/config.js';
import { TrunkIdentifier } from '../routing/trunk-identifier.js';
import {
  challengeValues,
  digestHa1,
  parseCredentials,
  verifyDigestResponse,
  type DigestAlgorithm,
  type DigestCredentials,
} from './digest.js';
import { FailureThrottle } from './failure-throttle.js';
import { NonceService } from './nonces.js';
import { ScannerFilter } from './scanner-filter.js';
import { TrunkLimits, type TrunkLimitOptions } from './trunk-limits.js';

/** What the SIP application knows about a request before deciding on it. */
export interface RequestFacts {
  readonly method: string;
  /** The address the request came from (transport source, not a header). */
  readonly sourceAddress: string;
  readonly userAgent?: string;
  /** Authorization header value(s); the one in our realm is used. */
  readonly authorization?: string | readonly string[];
  /** Proxy-Authorization header value(s); the one in our realm is used. */
  readonly proxyAuthorization?: string | readonly string[];
  /** Reserved for the app's logs; see the module comment on why it is not compared. */
  readonly requestUri: string;
  /** The user part of the From URI: who to challenge when no credentials came. */
  readonly fromUser: string;
}

export type RefusalReason = 'scanner' | 'unknown-source' | 'bad-credentials' | 'max_calls' | 'max_cps';
export type DropReason = 'blocked' | 'scanner' | 'unknown-source';

export type Refusal = { kind: 'refuse'; status: 403 | 503; reason: RefusalReason; retryAfter?: number };

export type Admission =
  | { kind: 'trunk'; trunk: string }
  | { kind: 'user'; user: string }
  | { kind: 'challenge'; status: 401 | 407; headerName: 'WWW-Authenticate' | 'Proxy-Authenticate'; values: string[] }
  | Refusal
  | { kind: 'drop'; why: DropReason };

export type CallAdmission = { kind: 'admitted'; release: () => void } | Refusal;

export interface InboundPolicyOptions {
  /** The router's trunk identifier, to share its tables; default: built from the config. */
  readonly trunks?: TrunkIdentifier;
  /** Nonce HMAC key; default: random per process. */
  readonly nonceSecret?: Uint8Array;
  readonly maxRememberedNonces?: number;
  readonly maxTrackedSources?: number;
  readonly limits?: TrunkLimitOptions;
}

/** Someone who can authenticate: a user with a password, or a trunk with digest credentials. */
interface Principal {
  readonly kind: 'user' | 'trunk';
  readonly name: string;
  /** A trunk with sources must also come from them (checked by the source step). */
  readonly sourcesRequired: boolean;
  readonly ha1: ReadonlyMap<DigestAlgorithm, string>;
}

type ChallengeMode = { readonly status: 401 | 407; readonly headerName: 'WWW-Authenticate' | 'Proxy-Authenticate' };
const WWW: ChallengeMode = { status: 401, headerName: 'WWW-Authenticate' };
const PROXY: ChallengeMode = { status: 407, headerName: 'Proxy-Authenticate' };

export class InboundPolicy {
  readonly limits: TrunkLimits;
  private readonly realm: string;
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly trunks: TrunkIdentifier;
  private readonly nonces: NonceService;
  private readonly throttle: FailureThrottle;
  private readonly scanners: ScannerFilter;
  private readonly principals = new Map<string, Principal>();
  /** Verified against when the username is unknown, so both cases cost the same. */
  private readonly decoyHa1: ReadonlyMap<DigestAlgorithm, string>;

  constructor(
    private readonly config: Config,
    o: InboundPolicyOptions = {},
  ) {
    const auth = config.security.auth;
    this.realm = config.sip.realm;
    this.algorithms = auth.algorithms;
    this.trunks = o.trunks ?? new TrunkIdentifier(config);
    this.nonces = new NonceService({
      ttlMs: auth.nonce_ttl,
      ...(o.nonceSecret ? { secret: o.nonceSecret } : {}),
      ...(o.maxRememberedNonces ? { maxRemembered: o.maxRememberedNonces } : {}),
    });
    this.throttle = new FailureThrottle({
      maxFailures: auth.max_failures,
      windowMs: auth.failure_window,
      blockForMs: auth.block_for,
      ...(o.maxTrackedSources ? { maxTracked: o.maxTrackedSources } : {}),
    });
    this.scanners = new ScannerFilter(config.security.scanners.user_agents);
    this.limits = TrunkLimits.fromConfig(config, o.limits);

    const ha1s = (username: string, password: string) =>
      new Map(this.algorithms.map((a) => [a, digestHa1(a, username, this.realm, password)] as const));
    for (const [name, user] of Object.entries(config.users)) {
      if (user.password !== undefined) this.principals.set(name, { kind: 'user', name, sourcesRequired: false, ha1: ha1s(name, user.password) });
    }
    for (const [name, trunk] of Object.entries(config.trunks)) {
      const digest = trunk.inbound?.digest;
      if (!digest) continue;
      this.principals.set(digest.username, {
        kind: 'trunk',
        name,
        sourcesRequired: trunk.inbound?.sources !== undefined,
        ha1: ha1s(digest.username, digest.password),
      });
    }
    this.decoyHa1 = ha1s('\u0000', '\u0000');
  }

  /** Decides on an out-of-dialog request at `now` (ms). */
  admit(facts: RequestFacts, now: number): Admission {
    if (this.throttle.isBlocked(facts.sourceAddress, now)) return { kind: 'drop', why: 'blocked' };
    if (this.scanners.matches(facts.userAgent) !== undefined) {
      return this.config.security.scanners.action === 'drop'
        ? { kind: 'drop', why: 'scanner' }
        : { kind: 'refuse', status: 403, reason: 'scanner' };
    }

    const register = facts.method === 'REGISTER';
    const mode = register ? WWW : PROXY;
    let expectedTrunk: string | undefined;
    if (!register) {
      const source = this.trunks.bySource(facts.sourceAddress);
      if (source && !source.digest) return { kind: 'trunk', trunk: source.trunk };
      expectedTrunk = source?.trunk;
    }

    const found = this.credentials(facts, register);
    if (found === 'malformed') return this.failure(facts.sourceAddress, now);
    if (found) return this.verify(found, facts, now, mode, expectedTrunk);

    const principal = this.principals.get(facts.fromUser);
    const challengeable = expectedTrunk !== undefined || (principal !== undefined && this.mayAuthenticate(principal, register, undefined));
    if (challengeable) return this.challenge(now, mode, false);
    return this.config.security.unknown_sources === 'drop'
      ? { kind: 'drop', why: 'unknown-source' }
      : { kind: 'refuse', status: 403, reason: 'unknown-source' };
  }

  /**
   * Takes a call slot on a trunk for an admitted INVITE; `release` (idempotent) when the
   * call ends, however it ends. A refusal is a 503 with Retry-After.
   */
  acquireCall(trunk: string, now: number): CallAdmission {
    const slot = this.limits.acquire(trunk, now);
    if (slot.ok) return { kind: 'admitted', release: slot.release };
    return { kind: 'refuse', status: 503, reason: slot.reason, retryAfter: slot.retryAfter };
  }

  /** State held across requests: both bounded (for metrics and tests). */
  sizes(): { trackedSources: number; rememberedNonces: number } {
    return { trackedSources: this.throttle.size, rememberedNonces: this.nonces.size };
  }

  /**
   * The credentials in our realm: the header matching the challenge first, then the
   * other (phones that answer a 401 with Proxy-Authorization exist). Credentials for
   * other realms are someone else's and ignored; unparsable ones are a failure.
   */
  private credentials(facts: RequestFacts, register: boolean): DigestCredentials | 'malformed' | undefined {
    const first = register ? facts.authorization : facts.proxyAuthorization;
    const second = register ? facts.proxyAuthorization : facts.authorization;
    let malformed = false;
    for (const headers of [first, second]) {
      if (headers === undefined) continue;
      for (const header of typeof headers === 'string' ? [headers] : headers) {
        const parsed = parseCredentials(header);
        if (!parsed.ok) malformed = true;
        else if (parsed.credentials.realm === this.realm) return parsed.credentials;
      }
    }
    return malformed ? 'malformed' : undefined;
  }

  private mayAuthenticate(p: Principal, register: boolean, expectedTrunk: string | undefined): boolean {
    if (expectedTrunk !== undefined) return p.kind === 'trunk' && p.name === expectedTrunk;
    if (p.kind === 'user') return true;
    return !register && !p.sourcesRequired;
  }

  private verify(c: DigestCredentials, facts: RequestFacts, now: number, mode: ChallengeMode, expectedTrunk: string | undefined): Admission {
    const nonce = this.nonces.check(c.nonce, now);
    const principal = this.principals.get(c.username);
    const allowed = principal !== undefined && this.mayAuthenticate(principal, mode === WWW, expectedTrunk);
    const ha1 = (allowed ? principal.ha1.get(c.algorithm) : undefined) ?? this.decoyHa1.get(c.algorithm);
    const right = ha1 !== undefined && verifyDigestResponse(c, facts.method, ha1) && allowed && this.algorithms.includes(c.algorithm);
    if (!right) return this.failure(facts.sourceAddress, now);
    if (nonce !== 'fresh') return this.challenge(now, mode, true);
    this.nonces.markUsed(c.nonce, now);
    return principal.kind === 'user' ? { kind: 'user', user: principal.name } : { kind: 'trunk', trunk: principal.name };
  }

  private failure(source: string, now: number): Admission {
    if (this.throttle.recordFailure(source, now)) return { kind: 'drop', why: 'blocked' };
    return { kind: 'refuse', status: 403, reason: 'bad-credentials' };
  }

  private challenge(now: number, mode: ChallengeMode, stale: boolean): Admission {
    const values = challengeValues({ realm: this.realm, nonce: this.nonces.issue(now), algorithms: this.algorithms, stale });
    return { kind: 'challenge', status: mode.status, headerName: mode.headerName, values };
  }
}
