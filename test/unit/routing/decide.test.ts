import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import type { Action, Decision } from '../../../src/routing/decision.js';
import { compileRouter, type CallFacts } from '../../../src/routing/router.js';
import { InMemoryRoutingState } from '../../../src/routing/state.js';

const config = parseConfig(readFileSync('test/fixtures/config/routing.yaml', 'utf8'), 'routing.yaml');
const router = compileRouter(config);

/** Thursday 2026-11-19 15:00 UTC: 10:00 in New York (open), 16:00 in Berlin (open), 00:00 Friday in Tokyo. */
const NY_OPEN = Date.parse('2026-11-19T15:00:00Z');
/** Thursday 2026-11-19 23:00 UTC: 18:00 New York, 00:00 Berlin, 08:00 Tokyo: all closed. */
const ALL_CLOSED = Date.parse('2026-11-19T23:00:00Z');
/** Wednesday 2026-11-18 01:00 UTC: 20:00 New York, 02:00 Berlin, 10:00 Tokyo (open). */
const TOKYO_OPEN = Date.parse('2026-11-18T01:00:00Z');
/** Thursday 2026-11-19 09:00 UTC: 04:00 New York, 10:00 Berlin (open). */
const BERLIN_OPEN = Date.parse('2026-11-19T09:00:00Z');

const everyone = () => new InMemoryRoutingState({ registered: 'everyone' });

function decide(call: Partial<CallFacts>, instant = NY_OPEN, state = everyone()): Decision {
  return router.decide({ to: '', from: '+14155550100', headers: {}, ...call }, instant, state);
}

const kinds = (actions: readonly Action[]) => actions.map((a) => a.kind);

describe('matching: each condition type', () => {
  it.each<[string, Partial<CallFacts>, string | null]>([
    ['called number, exact', { to: '+18005550100' }, 'support'],
    ['called number, exact, dialled nationally with separators', { to: '1 (800) 555-0100' }, 'support'],
    ['called number, exact, from a SIP URI', { to: 'sip:+18005550100@127.0.0.1;user=phone' }, 'support'],
    ['called number, one of a list', { to: '+18005550112' }, 'sales'],
    ['called number, prefix (with trunk)', { to: '8885550000', trunk: 'carrier-b' }, 'carrier-b-800'],
    ['called number, prefix, wrong trunk', { to: '8885550000', trunk: 'carrier-a' }, null],
    ['called number, pattern, with a header present', { to: '1001', headers: { 'X-Internal': 'yes' } }, 'internal'],
    ['called number, pattern, with the header absent', { to: '1001' }, 'external-to-extension'],
    ['called number, pattern must match whole number', { to: '10011' }, null],
    ['caller number, prefix', { to: '+18005550100', from: '+19005550000' }, 'blocked'],
    ['caller number, pattern', { to: '+18005559999', from: '011 44 20 7946 0000' }, 'uk-callers'],
    ['header, pattern, case-insensitive name', { to: '+18005550100', headers: { 'x-tier': 'platinum' } }, 'vip'],
    ['header, pattern must match the whole value', { to: '+18005550100', headers: { 'X-Tier': 'golden' } }, 'support'],
    ['trunk, one of a list', { to: '+18005550144', trunk: 'carrier-b' }, 'trunk-list'],
    ['trunk required but the call has none', { to: '+18005550144' }, null],
    ['trunk identified from the source address', { to: '+18005550144', sourceAddress: '::1' }, 'trunk-list'],
  ])('%s', (_what, call, rule) => expect(decide(call).rule).toBe(rule));

  it('schedule: not open (a holiday) and open', () => {
    expect(decide({ to: '+18005550100' }, Date.parse('2026-11-26T15:00:00Z')).rule).toBe('closed'); // Thanksgiving
    expect(decide({ to: '+18005550100' }, Date.parse('2026-11-21T15:00:00Z')).rule).toBe('closed'); // Saturday
    expect(decide({ to: '+18005550100' }, NY_OPEN).rule).toBe('support');
  });
});

describe('first match wins', () => {
  it('stops at the first matching rule even when later rules match too', () => {
    const d = decide({ to: '+18005550100', headers: { 'X-Tier': 'gold' } }, Date.parse('2026-11-26T15:00:00Z'));
    expect(d.rule).toBe('vip'); // "closed" and "support" match as well
    expect(d.trace.filter((t) => t.kind === 'rule').map((t) => t.kind === 'rule' && t.rule)).toEqual(['blocked', 'vip']);
  });
});

describe('the trace', () => {
  it('explains every rule tried: the failing condition, or the match', () => {
    const d = decide({ to: '1-800-555-0100', from: '+14155550100' });
    expect(d.call).toEqual({ to: '+18005550100', from: '+14155550100' });
    expect(d.trace[0]).toEqual({ kind: 'call', detail: 'to "+18005550100" (received "1-800-555-0100"), from "+14155550100", no trunk' });
    expect(d.trace.slice(1)).toEqual([
      { kind: 'rule', index: 0, rule: 'blocked', matched: false, condition: 'from', detail: 'not matched: from does not start with "+1900"' },
      { kind: 'rule', index: 1, rule: 'vip', matched: false, condition: 'header', detail: 'not matched: header X-Tier is absent or does not match /gold|platinum/' },
      {
        kind: 'rule',
        index: 2,
        rule: 'closed',
        matched: false,
        condition: 'schedule',
        detail:
          'not matched: needs schedule office not open; schedule office is open: weekly hours thu 09:00-17:00 (local 2026-11-19T10:00:00-05:00 America/New_York)',
      },
      { kind: 'rule', index: 3, rule: 'support', matched: true, detail: 'matched: to is "+18005550100"' },
    ]);
  });

  it('shows the schedule state with local time and zone when a schedule condition matches', () => {
    const d = decide({ to: '+18005550100' }, Date.parse('2026-11-26T15:00:00Z'));
    expect(d.trace.at(-1)).toMatchObject({
      rule: 'closed',
      matched: true,
      detail:
        'matched: to is "+18005550100"; schedule office is closed: holiday: Thanksgiving (local 2026-11-26T10:00:00-05:00 America/New_York)',
    });
  });
});

describe('the default decision', () => {
  it('rejects with 404 and lists every rule tried, never throwing', () => {
    const d = decide({ to: '+19995550000' });
    expect(d.rule).toBeNull();
    expect(d.actions).toEqual([{ kind: 'reject', status: 404, reason: 'Not Found' }]);
    expect(d.trace.filter((t) => t.kind === 'rule')).toHaveLength(config.routes.length);
    expect(d.trace.at(-1)).toEqual({ kind: 'default', detail: 'no rule matched: reject 404 Not Found' });
  });

  it.each<Partial<CallFacts>>([
    { to: '', from: '' },
    { to: 'sip:@', from: '%%%', headers: { '': '' } },
    { to: '\u0000\u00ff', sourceAddress: 'not an address' },
    { to: 'x'.repeat(10_000), trunk: 'no-such-trunk' },
  ])('handles odd input without throwing: %j', (call) => {
    expect(() => decide(call)).not.toThrow();
  });
});

describe('actions and continuation', () => {
  it('resolves ring chains with per-target timeouts and continue-on conditions', () => {
    const d = decide({ to: '+18005550111' });
    expect(d.actions).toEqual([
      {
        kind: 'ring',
        mode: 'simultaneous',
        targets: [
          { kind: 'user', user: 'alice', registered: true, contacts: [], timeoutMs: 20_000 },
          { kind: 'user', user: 'bob', registered: true, contacts: [], timeoutMs: 20_000 },
        ],
        continueOn: ['busy', 'no_answer', 'unavailable'],
      },
      {
        kind: 'ring',
        mode: 'sequential',
        targets: [
          { kind: 'user', user: 'desk', registered: true, contacts: ['sip:desk@127.0.0.1:5090'], timeoutMs: 10_000 },
          { kind: 'number', number: '+14155550123', trunk: 'carrier-a', gateways: ['sip:127.0.0.1:5080', 'sip:127.0.0.1:5081'], timeoutMs: 15_000 },
        ],
        continueOn: ['busy', 'no_answer', 'unavailable', 'failure'],
      },
      { kind: 'voicemail', box: 'general', settings: config.voicemail.general, continueOn: ['busy', 'no_answer', 'unavailable', 'failure'] },
    ]);
  });

  it('leaves out unregistered users (static contacts still ring) and gateways out of service', () => {
    const state = new InMemoryRoutingState({ registered: ['bob'], gatewaysOutOfService: ['sip:127.0.0.1:5080'] });
    const d = decide({ to: '+18005550111' }, NY_OPEN, state);
    const [first, second] = d.actions;
    expect(first).toMatchObject({ kind: 'ring', targets: [{ user: 'bob' }] });
    expect(second).toMatchObject({
      kind: 'ring',
      targets: [{ user: 'desk', registered: false }, { kind: 'number', gateways: ['sip:127.0.0.1:5081'] }],
    });
    const steps = d.trace.filter((t) => t.kind === 'step').map((t) => t.detail);
    expect(steps).toEqual([
      'user alice left out: not registered and no static contact',
      'trunk carrier-a: gateway sip:127.0.0.1:5080 out of service',
    ]);
  });

  it('skips a step without reachable targets when it continues on unavailable', () => {
    const state = new InMemoryRoutingState({ registered: [], gatewaysOutOfService: ['sip:127.0.0.1:5080', 'sip:127.0.0.1:5081'] });
    const d = decide({ to: '+18005550111' }, NY_OPEN, state);
    expect(kinds(d.actions)).toEqual(['ring', 'voicemail']); // first step skipped, second keeps desk (static contact)
    expect(d.actions[0]).toMatchObject({ targets: [{ user: 'desk' }] });
    expect(d.trace.map((t) => t.detail)).toContain('ring skipped: no target available (continues on unavailable)');
    expect(d.trace.map((t) => t.detail)).toContain('number +14155550123 left out: trunk carrier-a has no gateway in service');
  });

  it('rejects with 480 when a step has no reachable target and does not continue on unavailable', () => {
    const d = decide({ to: '+18005550113' }, NY_OPEN, new InMemoryRoutingState());
    expect(d.actions).toEqual([{ kind: 'reject', status: 480, reason: 'Temporarily Unavailable' }]);
    expect(d.trace.at(-1)).toEqual({ kind: 'step', detail: 'ring has no target available and does not continue on unavailable: reject 480' });
  });

  it('forwards through a trunk and redirects nothing by default', () => {
    const d = decide({ to: '+18885550000', trunk: 'carrier-b' });
    expect(d.actions).toEqual([
      {
        kind: 'forward',
        target: { kind: 'number', number: '+14155550199', trunk: 'carrier-b', gateways: ['sip:127.0.0.1:5082'], timeoutMs: 0 },
        redirect: false,
        continueOn: ['busy', 'no_answer', 'unavailable', 'failure'],
      },
    ]);
  });

  it('queues with the rule priority and names the overflow chains', () => {
    const d = decide({ to: '+18005550100', headers: { 'X-Tier': 'gold' } });
    expect(d.actions).toEqual([
      {
        kind: 'queue',
        queue: 'support',
        priority: 10,
        settings: config.queues.support,
        onFull: 'queues.support.on_full',
        onTimeout: 'queues.support.on_timeout',
      },
    ]);
  });

  it('sends callers to on_full when the queue is already at max_size', () => {
    const full = new InMemoryRoutingState({ registered: 'everyone', queueLengths: { support: 2 } });
    const d = decide({ to: '+18005550100', headers: { 'X-Tier': 'gold' } }, NY_OPEN, full);
    expect(kinds(d.actions)).toEqual(['ring', 'voicemail']);
    expect(d.actions[0]).toMatchObject({ targets: [{ user: 'desk' }], continueOn: ['busy'] });
    expect(d.trace.at(-1)).toEqual({ kind: 'step', detail: 'queue support is full (2 waiting, max_size 2): on_full' });
    const roomy = new InMemoryRoutingState({ queueLengths: { support: 1 } });
    expect(kinds(decide({ to: '+18005550100', headers: { 'X-Tier': 'gold' } }, NY_OPEN, roomy).actions)).toEqual(['queue']);
  });

  it('answers with an IVR whose options are chains resolved later', () => {
    const d = decide({ to: '+18005550100' });
    expect(d.actions).toEqual([
      {
        kind: 'ivr',
        menu: 'main',
        settings: config.ivr.main,
        options: { '1': 'ivr.main.options.1', '2': 'ivr.main.options.2' },
        onFailure: 'ivr.main.on_failure',
      },
    ]);
  });
});

describe('chains resolved later: IVR options and queue overflow', () => {
  it('resolves an IVR option at the instant the key is pressed', () => {
    const state = everyone();
    expect(kinds(router.resolveChain('ivr.main.options.1', NY_OPEN, state).actions)).toEqual(['queue']);
    const open = router.resolveChain('ivr.main.options.2', BERLIN_OPEN, state);
    expect(open.actions).toMatchObject([{ kind: 'ring', targets: [{ user: 'bob' }] }]);
    const closed = router.resolveChain('ivr.main.options.2', ALL_CLOSED, state);
    expect(closed.actions).toMatchObject([{ kind: 'voicemail', box: 'general' }]);
    expect(closed.trace[0]).toEqual({ kind: 'call', detail: 'chain ivr.main.options.2' });
  });

  it('resolves queue timeouts and failures', () => {
    expect(kinds(router.resolveChain('queues.support.on_timeout', NY_OPEN, everyone()).actions)).toEqual(['ivr']);
    expect(router.resolveChain('queues.empty-limit.on_full', NY_OPEN, everyone()).actions).toEqual([
      { kind: 'reject', status: 503, reason: 'Queue Full' },
    ]);
    expect(router.chainIds()).toContain('ivr.main.on_failure');
  });

  it('refuses an unknown chain id', () => {
    expect(() => router.resolveChain('queues.nope.on_full', NY_OPEN, everyone())).toThrow(/unknown chain queues\.nope\.on_full/);
  });
});

describe('follow-the-sun', () => {
  const siteTrace = (d: Decision) => d.trace.filter((t) => t.kind === 'step').map((t) => t.detail);

  it('goes to the first open site in preference order', () => {
    const d = decide({ to: '+18005550133' }, NY_OPEN);
    expect(kinds(d.actions)).toEqual(['queue']); // the queue ends the chain: the trailing voicemail is unreachable
    expect(siteTrace(d)).toEqual([
      'follow-the-sun site new-york: schedule office is open: weekly hours thu 09:00-17:00 (local 2026-11-19T10:00:00-05:00 America/New_York)',
    ]);
  });

  it('traces closed sites with the reason and local time, and continues after a site chain that hands on', () => {
    const d = decide({ to: '+18005550133' }, BERLIN_OPEN);
    expect(d.actions).toMatchObject([
      { kind: 'ring', targets: [{ user: 'bob' }], continueOn: ['no_answer'] },
      { kind: 'voicemail', box: 'general' },
    ]);
    expect(siteTrace(d)).toEqual([
      'follow-the-sun site new-york: schedule office is closed: outside weekly hours (thu) (local 2026-11-19T04:00:00-05:00 America/New_York)',
      'follow-the-sun site berlin: schedule berlin is open: weekly hours thu 09:00-17:00 (local 2026-11-19T10:00:00+01:00 Europe/Berlin)',
    ]);
  });

  it('tries later sites in order', () => {
    const d = decide({ to: '+18005550133' }, TOKYO_OPEN);
    expect(d.actions).toMatchObject([{ kind: 'ring', targets: [{ kind: 'uri', uri: 'sip:help@127.0.0.1:5092' }] }, { kind: 'voicemail' }]);
    expect(siteTrace(d)).toHaveLength(3);
  });

  it('uses the fallback when no site is open', () => {
    const d = decide({ to: '+18005550133' }, ALL_CLOSED);
    expect(d.actions).toEqual([{ kind: 'reject', status: 480, reason: 'Temporarily Unavailable' }]);
    expect(siteTrace(d).at(-1)).toBe('follow-the-sun: no site is open, using the fallback');
  });
});

describe('purity', () => {
  it('gives the same decision for the same inputs and does not change the configuration', () => {
    const state = everyone();
    const a = decide({ to: '+18005550133' }, BERLIN_OPEN, state);
    const b = decide({ to: '+18005550133' }, BERLIN_OPEN, state);
    expect(b).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a); // plain data: safe to log and to print as JSON
  });
});

describe('overflow inside follow-the-sun', () => {
  const overflow = compileRouter(
    parseConfig(
      [
        'users: { alice: { password: alice-secret }, bob: { password: bob-secret } }',
        'agents: { alice: {} }',
        'queues: { q: { members: [alice], max_size: 1, on_full: { ring: bob, continue_on: [unavailable] } } }',
        'schedules: { always: { tz: UTC, weekly: { daily: "00:00-24:00" } } }',
        'voicemail: { vm: {} }',
        'routes:',
        '  - name: r',
        '    then:',
        '      - follow_the_sun: { sites: [{ name: s, schedule: always, then: { queue: q } }], fallback: { reject: 480 } }',
        '      - voicemail: vm',
        '',
      ].join('\n'),
      'overflow.yaml',
    ),
  );

  it('a full queue hands over to on_full and never back to the chain around it', () => {
    const full = new InMemoryRoutingState({ registered: ['bob'], queueLengths: { q: 1 } });
    expect(kinds(overflow.decide({ to: 'x', from: 'y', headers: {} }, NY_OPEN, full).actions)).toEqual(['ring']);
  });

  it('an on_full chain that leaves nothing to try becomes reject 480', () => {
    const full = new InMemoryRoutingState({ queueLengths: { q: 1 } });
    const d = overflow.decide({ to: 'x', from: 'y', headers: {} }, NY_OPEN, full);
    expect(d.actions).toEqual([{ kind: 'reject', status: 480, reason: 'Temporarily Unavailable' }]);
    expect(d.trace.map((t) => t.detail)).toContain('nothing left to try: reject 480');
  });
});
