import { describe, expect, it } from 'vitest';
import { InboundPolicy, type Admission, type RequestFacts } from '../../../src/admission/inbound-policy.js';
import { ManualClock } from '../../../src/util/clock.js';
import { authorization, config, nonceOf } from './helpers.js';

const BASE = `
  sip: { realm: switchboard }
  security:
    auth: { max_failures: 3, failure_window: 60s, block_for: 5m, nonce_ttl: 30s }
  trunks:
    ip-carrier:
      inbound: { sources: ['127.0.0.2/32'], max_calls: 1, max_cps: 0.5 }
    secure-carrier:
      inbound: { sources: ['127.0.0.3/32'], digest: { username: secure, password: 'secure-pass-1' } }
    roaming:
      inbound: { digest: { username: roamer, password: 'roamer-pass-1' } }
  users:
    alice: { password: 'correct-horse' }
    lobby: { contacts: ['sip:lobby@127.0.0.1:5090'] }
`;

const PHONE = '127.0.0.9';
const T0 = 1_767_225_600_000;

function setup(extra = '') {
  const clock = new ManualClock(T0);
  const policy = new InboundPolicy(config(BASE + extra));
  return { clock, policy };
}

function invite(over: Partial<RequestFacts> = {}): RequestFacts {
  return { method: 'INVITE', sourceAddress: PHONE, requestUri: 'sip:100@127.0.0.1', fromUser: 'alice', userAgent: 'Linphone/5.2', ...over };
}

function register(over: Partial<RequestFacts> = {}): RequestFacts {
  return { method: 'REGISTER', sourceAddress: PHONE, requestUri: 'sip:127.0.0.1', fromUser: 'alice', userAgent: 'Linphone/5.2', ...over };
}

/** What credentials that do not verify get (until the failure that blocks the source). */
const BAD_CREDENTIALS: Admission = { kind: 'refuse', status: 403, reason: 'bad-credentials' };

function challenged(a: Admission): Extract<Admission, { kind: 'challenge' }> {
  if (a.kind !== 'challenge') throw new Error(`expected a challenge, got ${JSON.stringify(a)}`);
  return a;
}

/** The credentials a phone sends in answer to a challenge. */
function answer(
  a: Admission,
  facts: RequestFacts,
  o: { username?: string; password?: string; algorithm?: 'SHA-256' | 'MD5'; realm?: string; nonce?: string } = {},
): string {
  const c = challenged(a);
  const algorithm = o.algorithm ?? 'SHA-256';
  const value = c.values.find((v) => v.endsWith(`algorithm=${algorithm}`) || v.includes(`algorithm=${algorithm},`));
  if (!value) throw new Error(`no ${algorithm} challenge in ${JSON.stringify(c.values)}`);
  return authorization({
    algorithm,
    username: o.username ?? facts.fromUser,
    realm: o.realm ?? 'switchboard',
    password: o.password ?? 'correct-horse',
    method: facts.method,
    uri: facts.requestUri,
    nonce: o.nonce ?? nonceOf(value),
  });
}

/** The request again, carrying credentials in the header its challenge asked for. */
function withCredentials(facts: RequestFacts, header: string): RequestFacts {
  return facts.method === 'REGISTER' ? { ...facts, authorization: header } : { ...facts, proxyAuthorization: header };
}

describe('InboundPolicy: trunks by source', () => {
  it.each(['INVITE', 'OPTIONS', 'MESSAGE'])('%s from an IP trunk is the trunk’s, without credentials', (method) => {
    const { clock, policy } = setup();
    expect(policy.admit(invite({ method, sourceAddress: '127.0.0.2', fromUser: 'anyone' }), clock.now())).toEqual({ kind: 'trunk', trunk: 'ip-carrier' });
    expect(policy.admit(invite({ method, sourceAddress: '::ffff:127.0.0.2', fromUser: 'anyone' }), clock.now())).toEqual({ kind: 'trunk', trunk: 'ip-carrier' });
  });

  it('REGISTER from a trunk’s network is a user’s, challenged with 401', () => {
    const { clock, policy } = setup();
    const c = challenged(policy.admit(register({ sourceAddress: '127.0.0.2' }), clock.now()));
    expect(c.status).toBe(401);
    expect(c.headerName).toBe('WWW-Authenticate');
  });

  it('a trunk with sources and digest is challenged (407), admitted with its own credentials and refused with others', () => {
    const { clock, policy } = setup();
    const facts = invite({ sourceAddress: '127.0.0.3', fromUser: 'whoever' });
    const first = policy.admit(facts, clock.now());
    expect(challenged(first).status).toBe(407);
    const ok = withCredentials(facts, answer(first, facts, { username: 'secure', password: 'secure-pass-1' }));
    expect(policy.admit(ok, clock.now())).toEqual({ kind: 'trunk', trunk: 'secure-carrier' });

    const second = policy.admit(facts, clock.now());
    const alicesCredentials = withCredentials(facts, answer(second, facts, { username: 'alice', password: 'correct-horse' }));
    expect(policy.admit(alicesCredentials, clock.now())).toEqual(BAD_CREDENTIALS);
    expect(policy.sizes().trackedSources).toBe(1); // counted as a failure
  });

  it('a trunk that needs its sources is refused from elsewhere even with the right credentials', () => {
    const { clock, policy } = setup();
    const facts = invite({ sourceAddress: PHONE, fromUser: 'secure' });
    const first = policy.admit(facts, clock.now());
    // "secure" is a trunk that must come from its sources: not challengeable here
    expect(first).toEqual({ kind: 'refuse', status: 403, reason: 'unknown-source' });
    expect(policy.sizes().trackedSources).toBe(0);
    const c = policy.admit(invite({ fromUser: 'alice' }), clock.now());
    const attempt = policy.admit(withCredentials(facts, answer(c, facts, { username: 'secure', password: 'secure-pass-1' })), clock.now());
    expect(attempt).toEqual(BAD_CREDENTIALS);
    expect(policy.sizes().trackedSources).toBe(1); // counted as a failure
  });

  it('a digest-only trunk is admitted from anywhere with its credentials, but cannot REGISTER', () => {
    const { clock, policy } = setup();
    const facts = invite({ sourceAddress: '198.51.100.20', fromUser: 'roamer' });
    const first = policy.admit(facts, clock.now());
    expect(challenged(first).status).toBe(407);
    expect(policy.admit(withCredentials(facts, answer(first, facts, { password: 'roamer-pass-1' })), clock.now())).toEqual({ kind: 'trunk', trunk: 'roaming' });

    const reg = register({ sourceAddress: '198.51.100.20', fromUser: 'roamer' });
    expect(policy.admit(reg, clock.now()).kind).toBe('refuse');
    const c = policy.admit(register(), clock.now());
    expect(policy.admit(withCredentials(reg, answer(c, reg, { password: 'roamer-pass-1' })), clock.now())).toEqual(BAD_CREDENTIALS);
    expect(policy.sizes().trackedSources).toBe(1);
  });
});

describe('InboundPolicy: users', () => {
  it.each([
    { what: 'REGISTER', facts: register(), status: 401, headerName: 'WWW-Authenticate' },
    { what: 'INVITE', facts: invite(), status: 407, headerName: 'Proxy-Authenticate' },
    { what: 'SUBSCRIBE', facts: invite({ method: 'SUBSCRIBE' }), status: 407, headerName: 'Proxy-Authenticate' },
  ])('$what: challenged ($status, SHA-256 first, then MD5), then admitted with either algorithm', ({ facts, status, headerName }) => {
    for (const algorithm of ['SHA-256', 'MD5'] as const) {
      const { clock, policy } = setup();
      const c = challenged(policy.admit(facts, clock.now()));
      expect(c).toMatchObject({ status, headerName });
      expect(c.values).toHaveLength(2);
      expect(c.values[0]).toMatch(/^Digest realm="switchboard", nonce="[A-Za-z0-9_-]+", qop="auth", algorithm=SHA-256$/);
      expect(c.values[1]).toMatch(/algorithm=MD5$/);
      clock.advance(2000);
      expect(policy.admit(withCredentials(facts, answer(c, facts, { algorithm })), clock.now())).toEqual({ kind: 'user', user: 'alice' });
    }
  });

  it('credentials in the other header are accepted too', () => {
    const { clock, policy } = setup();
    const facts = register();
    const header = answer(policy.admit(facts, clock.now()), facts);
    expect(policy.admit({ ...facts, proxyAuthorization: header }, clock.now())).toEqual({ kind: 'user', user: 'alice' });
  });

  it('of several credentials, the one in our realm is used; others are ignored', () => {
    const { clock, policy } = setup();
    const facts = invite();
    const c = policy.admit(facts, clock.now());
    const foreign = answer(c, facts, { realm: 'upstream.example' });
    expect(policy.admit({ ...facts, proxyAuthorization: [foreign, answer(c, facts)] }, clock.now())).toEqual({ kind: 'user', user: 'alice' });
    // Only foreign credentials: as if none came; no failure.
    expect(policy.admit({ ...facts, proxyAuthorization: [foreign] }, clock.now()).kind).toBe('challenge');
    expect(policy.sizes().trackedSources).toBe(0);
  });

  it('a replayed request (nonce already used) is not admitted: challenged stale=true, no failure', () => {
    const { clock, policy } = setup();
    const facts = invite();
    const replayed = withCredentials(facts, answer(policy.admit(facts, clock.now()), facts));
    expect(policy.admit(replayed, clock.now()).kind).toBe('user');
    for (let i = 0; i < 5; i++) {
      const again = challenged(policy.admit(replayed, clock.now()));
      expect(again.values.every((v) => v.endsWith(', stale=true'))).toBe(true);
    }
    expect(policy.sizes().trackedSources).toBe(0);
  });

  it('an expired nonce with the right password: challenged stale=true, no failure; with a wrong one: refused, a failure', () => {
    const { clock, policy } = setup();
    const facts = register();
    const c = policy.admit(facts, clock.now());
    clock.advance(30_001);
    const stale = challenged(policy.admit(withCredentials(facts, answer(c, facts)), clock.now()));
    expect(stale.values[0]).toMatch(/, stale=true$/);
    expect(nonceOf(stale.values[0]!)).not.toBe(nonceOf(challenged(c).values[0]!));
    expect(policy.sizes().trackedSources).toBe(0);
    expect(policy.admit(withCredentials(facts, answer(c, facts, { password: 'wrong-horse' })), clock.now())).toEqual(BAD_CREDENTIALS);
    expect(policy.sizes().trackedSources).toBe(1);
    // The phone answers the stale challenge without asking its user, and gets in.
    expect(policy.admit(withCredentials(facts, answer(stale, facts)), clock.now())).toEqual({ kind: 'user', user: 'alice' });
  });

  it('a forged nonce with the right password is challenged again with stale=true, and a wrong password on it is refused', () => {
    const { clock, policy } = setup();
    const facts = invite();
    const c = challenged(policy.admit(facts, clock.now()));
    const nonce = nonceOf(c.values[0]!);
    const forged = nonce.slice(0, -2) + (nonce.endsWith('AA') ? 'BB' : 'AA');
    // A nonce of another process: one issued before a restart.
    const other = new InboundPolicy(config(BASE)).admit(facts, clock.now());
    const nonces = [forged, nonceOf(challenged(other).values[0]!), 'deadbeef'];
    // Twice max_failures: were any of them a failure, the source would be blocked.
    const results = [...nonces, ...nonces].map((n) => policy.admit(withCredentials(facts, answer(c, facts, { nonce: n })), clock.now()));
    for (const r of results) {
      const again = challenged(r);
      expect(again.values.every((v) => v.endsWith(', stale=true'))).toBe(true);
      expect(nonces).not.toContain(nonceOf(again.values[0]!));
    }
    expect(policy.sizes().trackedSources).toBe(0);
    // The new nonce is a real one: the right password on it is admitted.
    expect(policy.admit(withCredentials(facts, answer(results[1]!, facts)), clock.now())).toEqual({ kind: 'user', user: 'alice' });

    const wrong = nonces.map((n) => policy.admit(withCredentials(facts, answer(c, facts, { nonce: n, password: 'wrong-horse' })), clock.now()));
    expect(wrong).toEqual([BAD_CREDENTIALS, BAD_CREDENTIALS, { kind: 'drop', why: 'blocked' }]); // the third failure blocks
  });

  it('a user without a password, or an unknown name, is an unknown source', () => {
    const { clock, policy } = setup();
    expect(policy.admit(invite({ fromUser: 'lobby' }), clock.now())).toEqual({ kind: 'refuse', status: 403, reason: 'unknown-source' });
    expect(policy.admit(register({ fromUser: 'mallory' }), clock.now())).toEqual({ kind: 'refuse', status: 403, reason: 'unknown-source' });
  });

  it('an unknown username with credentials is refused exactly like a wrong password', () => {
    const { clock, policy } = setup();
    const facts = register();
    const c = policy.admit(facts, clock.now());
    const unknown = policy.admit(withCredentials(facts, answer(c, facts, { username: 'mallory' })), clock.now());
    const wrong = policy.admit(withCredentials(facts, answer(c, facts, { password: 'wrong-horse' })), clock.now());
    expect(unknown).toEqual(BAD_CREDENTIALS);
    expect(wrong).toEqual(unknown);
    expect(policy.sizes().trackedSources).toBe(1); // both count against the source
  });

  it.each([
    ['empty', ''],
    ['unterminated quote', 'Digest username="alice, realm="switchboard'],
    ['missing fields', 'Digest username="alice"'],
    ['huge', `Digest username="${'a'.repeat(100_000)}"`],
    ['Basic', 'Basic YWxpY2U6Y29ycmVjdC1ob3JzZQ=='],
  ])('malformed credentials (%s) are a failure refused with 403, never an exception', (_what, header) => {
    const { clock, policy } = setup();
    const a = policy.admit(withCredentials(invite(), header), clock.now());
    expect(a).toEqual(BAD_CREDENTIALS);
    expect(policy.sizes().trackedSources).toBe(1);
  });

  it('an algorithm that is not configured is refused', () => {
    const clock = new ManualClock(T0);
    const policy = new InboundPolicy(config(BASE.replace('auth: {', 'auth: { algorithms: [SHA-256],')));
    const facts = register();
    const c = challenged(policy.admit(facts, clock.now()));
    expect(c.values).toHaveLength(1);
    const md5 = authorization({
      algorithm: 'MD5', username: 'alice', realm: 'switchboard', password: 'correct-horse',
      method: 'REGISTER', uri: facts.requestUri, nonce: nonceOf(c.values[0]!),
    });
    expect(policy.admit(withCredentials(facts, md5), clock.now())).toEqual(BAD_CREDENTIALS);
    expect(policy.sizes().trackedSources).toBe(1);
  });
});

describe('InboundPolicy: throttling', () => {
  it('wrong passwords are challenged, then refused; after max_failures the source is dropped until block_for passes', () => {
    const { clock, policy } = setup();
    const facts = register();
    const results: Admission[] = [];
    for (let i = 0; i < 3; i++) {
      const c = policy.admit(facts, clock.now());
      expect(c.kind).toBe('challenge');
      results.push(policy.admit(withCredentials(facts, answer(c, facts, { password: 'wrong-horse' })), clock.now()));
      clock.advance(1000);
    }
    expect(results).toEqual([BAD_CREDENTIALS, BAD_CREDENTIALS, { kind: 'drop', why: 'blocked' }]);
    // Blocked: even the right password, even a trunk-like request, is dropped.
    expect(policy.admit(facts, clock.now())).toEqual({ kind: 'drop', why: 'blocked' });
    expect(policy.admit(register({ sourceAddress: '127.0.0.10' }), clock.now()).kind).toBe('challenge');
    clock.advance(5 * 60_000 - 2000);
    expect(policy.admit(facts, clock.now()).kind).toBe('drop');
    clock.advance(1000);
    const c = policy.admit(facts, clock.now());
    expect(c.kind).toBe('challenge');
    expect(policy.admit(withCredentials(facts, answer(c, facts)), clock.now())).toEqual({ kind: 'user', user: 'alice' });
  });
});

describe('InboundPolicy: scanners and unknown sources', () => {
  it.each([
    { extra: '', ua: 'friendly-scanner', expected: { kind: 'drop', why: 'scanner' } },
    { extra: '    scanners: { action: reject }\n', ua: 'SIPVicious 0.3', expected: { kind: 'refuse', status: 403, reason: 'scanner' } },
    { extra: '    scanners: { user_agents: [evil-bot] }\n', ua: 'friendly-scanner', expected: { kind: 'trunk', trunk: 'ip-carrier' } },
    { extra: '    scanners: { user_agents: [evil-bot] }\n', ua: 'Evil-Bot/2', expected: { kind: 'drop', why: 'scanner' } },
  ])('User-Agent $ua with "$extra"', ({ extra, ua, expected }) => {
    const text = BASE.replace('  security:\n', `  security:\n${extra}`);
    const policy = new InboundPolicy(config(text));
    expect(policy.admit(invite({ sourceAddress: '127.0.0.2', userAgent: ua }), T0)).toEqual(expected);
  });

  it.each([
    { setting: 'reject', expected: { kind: 'refuse', status: 403, reason: 'unknown-source' } },
    { setting: 'drop', expected: { kind: 'drop', why: 'unknown-source' } },
  ])('unknown_sources: $setting', ({ setting, expected }) => {
    const policy = new InboundPolicy(config(BASE.replace('  security:\n', `  security:\n    unknown_sources: ${setting}\n`)));
    expect(policy.admit(invite({ fromUser: 'nobody' }), T0)).toEqual(expected);
    expect(policy.admit(invite({ method: 'OPTIONS', fromUser: '' }), T0)).toEqual(expected);
  });

  it('refusals, drops and challenges leave no state behind', () => {
    const { clock, policy } = setup();
    for (let i = 0; i < 2000; i++) {
      const source = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      policy.admit(invite({ sourceAddress: source, fromUser: `user${i}` }), clock.now());
      policy.admit(invite({ sourceAddress: source, userAgent: 'friendly-scanner' }), clock.now());
      policy.admit(register({ sourceAddress: source }), clock.now());
    }
    expect(policy.sizes()).toEqual({ trackedSources: 0, rememberedNonces: 0 });
  });
});

describe('InboundPolicy: trunk call limits', () => {
  it('acquireCall refuses with 503 and Retry-After beyond max_calls and max_cps; release frees the slot once', () => {
    const { clock, policy } = setup();
    const first = policy.acquireCall('ip-carrier', clock.now());
    expect(first.kind).toBe('admitted');
    expect(policy.acquireCall('ip-carrier', clock.now())).toEqual({ kind: 'refuse', status: 503, reason: 'max_calls', retryAfter: 1 });
    if (first.kind !== 'admitted') return;
    first.release();
    first.release();
    expect(policy.limits.active('ip-carrier')).toBe(0);
    expect(policy.acquireCall('ip-carrier', clock.now())).toEqual({ kind: 'refuse', status: 503, reason: 'max_cps', retryAfter: 2 });
    clock.advance(2000);
    expect(policy.acquireCall('ip-carrier', clock.now()).kind).toBe('admitted');
  });
});
