import { describe, expect, it } from 'vitest';
import { B2buaApp, userOf } from '../../../src/app/b2bua.js';
import { dialGroup, numberAt } from '../../../src/app/call/dial-plan.js';
import { GatewayBlackouts, retryAfterSeconds } from '../../../src/app/call/gateway-blackouts.js';
import { callerStatusFor, outcomeOfStatus, strongerOutcome } from '../../../src/app/call/outcomes.js';
import { parseConfig } from '../../../src/config/index.js';
import { compileRouter, type Action } from '../../../src/routing/index.js';

const YAML = `
trunks:
  lab:
    inbound: { sources: [127.0.0.0/8] }
    outbound: { gateways: ["sip:127.0.0.1:5080;transport=tcp", "sip:127.0.0.1:5081"] }
users:
  alice: { contacts: ["sip:alice@127.0.0.1:5090"], password: alice-secret }
routes:
  - name: blocked
    match: { to: "+15550000" }
    then: { reject: { status: 603, reason: Declined } }
  - name: out
    match: { to: { prefix: ["+1"] } }
    then: { forward: { to: { number: "+14155550123", trunk: lab } } }
  - name: desk
    match: { to: { pattern: ".*" } }
    then: { ring: "sip:desk@127.0.0.1:5099" }
`;

function app(): B2buaApp {
  const config = parseConfig(YAML, 'plan.yaml');
  return new B2buaApp({ config, router: compileRouter(config), now: () => Date.parse('2026-11-23T10:00:00Z') });
}

const call = (to: string) => ({ uri: `sip:${to}@127.0.0.1`, from: '<sip:a@127.0.0.1>', headers: {}, sourceAddress: '127.0.0.1' });
const actions = (a: B2buaApp, to: string): readonly Action[] => a.decide(call(to), 'lab').actions;

describe('call decision', () => {
  it('passes the routing decision on: a reject, a forward to a number, a ring', () => {
    const a = app();
    expect(actions(a, '+15550000')[0]).toMatchObject({ kind: 'reject', status: 603, reason: 'Declined' });
    expect(actions(a, '+12125550100')[0]).toMatchObject({ kind: 'forward', target: { kind: 'number', number: '+14155550123' } });
    expect(actions(a, '1000')[0]).toMatchObject({ kind: 'ring', targets: [{ kind: 'uri', uri: 'sip:desk@127.0.0.1:5099' }] });
  });

  it('reads the dialled user from SIP URIs, name-addrs and tel URIs', () => {
    expect(userOf('sip:+4930123@example.com;user=phone')).toBe('+4930123');
    expect(userOf('"Bob" <sips:bob@example.com>;tag=1')).toBe('bob');
    expect(userOf('tel:+14155550123;phone-context=x')).toBe('+14155550123');
    expect(userOf('sip:example.com')).toBe('sip:example.com');
  });
});

describe('dial plan: targets to legs', () => {
  const usable = { contactsOf: () => [], gatewayUsable: () => true };

  it('a number goes to its gateways in failover order, with the number as user part', () => {
    const g = dialGroup({ kind: 'number', number: '+14155550123', trunk: 'lab', gateways: ['sip:127.0.0.1:5080;transport=tcp', 'sip:gw@127.0.0.1:5081'], timeoutMs: 20_000 }, usable);
    expect(g.mode).toBe('failover');
    expect(g.legs.map((l) => l.uri)).toEqual(['sip:+14155550123@127.0.0.1:5080;transport=tcp', 'sip:+14155550123@127.0.0.1:5081']);
  });

  it('skips suspended gateways', () => {
    const g = dialGroup(
      { kind: 'number', number: '100', trunk: 'lab', gateways: ['sip:127.0.0.1:5080', 'sip:127.0.0.1:5081'], timeoutMs: 0 },
      { contactsOf: () => [], gatewayUsable: (gw) => gw !== 'sip:127.0.0.1:5080' },
    );
    expect(g.legs.map((l) => l.gateway)).toEqual(['sip:127.0.0.1:5081']);
  });

  it('a user rings registered contacts (through the address they registered from) and static contacts at once', () => {
    const g = dialGroup(
      { kind: 'user', user: 'alice', registered: true, contacts: ['sip:desk@127.0.0.1:5091'], timeoutMs: 15_000 },
      { contactsOf: () => [{ uri: 'sip:alice@192.0.2.10:5062', via: 'sip:127.0.0.1:5062' }], gatewayUsable: () => true },
    );
    expect(g).toMatchObject({ mode: 'parallel', timeoutMs: 15_000, label: 'user alice' });
    expect(g.legs).toEqual([{ uri: 'sip:alice@192.0.2.10:5062', via: 'sip:127.0.0.1:5062' }, { uri: 'sip:desk@127.0.0.1:5091' }]);
  });

  it('numberAt replaces a user part the gateway URI already has', () => {
    expect(numberAt('+1', 'sips:trunk@127.0.0.1:5061;transport=tls')).toBe('sips:+1@127.0.0.1:5061;transport=tls');
  });
});

describe('outcomes', () => {
  it.each([
    [486, 'busy'],
    [600, 'busy'],
    [603, 'busy'],
    [480, 'no_answer'],
    [408, 'no_answer'],
    [404, 'unavailable'],
    [604, 'unavailable'],
    [500, 'failure'],
    [503, 'failure'],
    [403, 'failure'],
    [302, 'failure'],
  ] as const)('B leg %i is %s', (status, outcome) => {
    expect(outcomeOfStatus(status)).toBe(outcome);
  });

  it('a step where one leg rang and one was busy ended in no answer', () => {
    expect(strongerOutcome(strongerOutcome(undefined, 'busy'), 'no_answer')).toBe('no_answer');
    expect(strongerOutcome('busy', 'failure')).toBe('busy');
  });

  it('the caller hears busy and unavailable as the B leg said, the rest without internals', () => {
    expect(callerStatusFor({ outcome: 'busy', status: 600, reason: 'Busy Everywhere' })).toEqual({ status: 600, reason: 'Busy Everywhere' });
    expect(callerStatusFor({ outcome: 'no_answer' })).toEqual({ status: 480, reason: 'Temporarily Unavailable' });
    expect(callerStatusFor({ outcome: 'failure', status: 500, reason: 'Oops at 10.0.0.3' })).toEqual({ status: 503, reason: 'Service Unavailable' });
  });
});

describe('gateway blackouts', () => {
  it('a gateway suspended for Retry-After seconds comes back after them', () => {
    let now = 1_000;
    const b = new GatewayBlackouts(() => now);
    b.suspend('sip:127.0.0.1:5080', 30_000);
    expect(b.isInService('sip:127.0.0.1:5080')).toBe(false);
    expect(b.suspended()).toEqual(['sip:127.0.0.1:5080']);
    now += 30_000;
    expect(b.isInService('sip:127.0.0.1:5080')).toBe(true);
    expect(b.suspended()).toEqual([]);
  });

  it.each([
    ['120', 120],
    ['120;duration=60', 120],
    [' 5 (maintenance)', 5],
    ['soon', undefined],
    [undefined, undefined],
  ])('Retry-After %j is %j seconds', (header, seconds) => {
    expect(retryAfterSeconds(header)).toBe(seconds);
  });
});
