import { describe, expect, it } from 'vitest';
import type { Binding } from '../../../src/registrar/binding.js';
import { parseContactHeaders } from '../../../src/registrar/contact-header.js';
import { applyRegister, contactKey, type RegisterLimits } from '../../../src/registrar/register-request.js';
import { InMemoryRegistrationStore, type RegistrationEvent } from '../../../src/registrar/registration-store.js';
import { feedRegistrations } from '../../../src/registrar/routing-feed.js';
import { InMemoryRoutingState } from '../../../src/routing/state.js';
import { FakeTimers } from './fake-timers.js';

const SOURCE = { address: '192.0.2.10', port: 5060, transport: 'udp' } as const;
const LIMITS: RegisterLimits = { min_expires: 60_000, max_expires: 3_600_000, default_expires: 3_600_000, max_contacts: 10 };

function setup() {
  const timers = new FakeTimers();
  const store = new InMemoryRegistrationStore({ clock: timers.clock, timers });
  const events: Array<[RegistrationEvent, string]> = [];
  for (const event of ['registered', 'unregistered'] as const) store.on(event, (user) => events.push([event, user]));
  const bind = (user: string, uri: string, lifetimeMs: number, extra: Partial<Binding> = {}): Binding => ({
    user, key: contactKey({ uri }), uri, expiresAt: timers.clock.now() + lifetimeMs, updatedAt: timers.clock.now(),
    callId: `${user}-call`, cseq: 1, source: SOURCE, ...extra,
  });
  return { timers, store, events, bind };
}

describe('InMemoryRegistrationStore', () => {
  it('orders live contacts by q, then most recently refreshed', () => {
    const { timers, store, bind } = setup();
    const old = bind('alice', 'sip:alice@192.0.2.1', 600_000);
    timers.advance(1000);
    const recent = bind('alice', 'sip:alice@192.0.2.2', 600_000);
    const preferred = bind('alice', 'sip:alice@192.0.2.3', 600_000, { q: 1, updatedAt: 0 });
    const low = bind('alice', 'sip:alice@192.0.2.4', 600_000, { q: 0.2 });
    store.replace('alice', [low, old, preferred, recent]);
    expect(store.bindings('alice').map((b) => b.uri)).toEqual(['sip:alice@192.0.2.2', 'sip:alice@192.0.2.1', 'sip:alice@192.0.2.3', 'sip:alice@192.0.2.4']);
  });

  it("'registered' on the first contact and 'unregistered' when the last one lapses, exactly once each", () => {
    const { timers, store, events, bind } = setup();
    store.replace('alice', [bind('alice', 'sip:alice@192.0.2.1', 60_000)]);
    store.replace('alice', [bind('alice', 'sip:alice@192.0.2.1', 60_000), bind('alice', 'sip:alice@192.0.2.2', 120_000)]);
    expect(events).toEqual([['registered', 'alice']]);
    expect(store.isRegistered('alice')).toBe(true);

    timers.advance(59_999);
    expect(store.bindings('alice')).toHaveLength(2);
    timers.advance(1);
    expect(store.bindings('alice').map((b) => b.uri)).toEqual(['sip:alice@192.0.2.2']);
    expect(events).toEqual([['registered', 'alice']]);

    timers.advance(60_000);
    expect(store.isRegistered('alice')).toBe(false);
    expect(store.bindings('alice')).toEqual([]);
    timers.advance(3_600_000);
    expect(events).toEqual([['registered', 'alice'], ['unregistered', 'alice']]);
    expect(timers.pendingCount).toBe(0);
  });

  it("an explicit removal sends 'unregistered' once; a refresh sends nothing", () => {
    const { store, events, bind } = setup();
    store.replace('bob', [bind('bob', 'sip:bob@192.0.2.1', 60_000)]);
    store.replace('bob', [bind('bob', 'sip:bob@192.0.2.1', 3_600_000)]);
    store.replace('bob', []);
    store.replace('bob', []);
    expect(events).toEqual([['registered', 'bob'], ['unregistered', 'bob']]);
  });

  it('reads never see a lapsed binding, even before the timer fires', () => {
    const { timers, store, events, bind } = setup();
    store.replace('alice', [bind('alice', 'sip:alice@192.0.2.1', 60_000)]);
    timers.clock.advance(60_000); // the clock moves, the timer has not run yet
    expect(store.isRegistered('alice')).toBe(false);
    expect(events).toEqual([['registered', 'alice'], ['unregistered', 'alice']]);
    timers.advance(0);
    expect(events).toHaveLength(2);
  });

  it('leaves out bindings that have already lapsed', () => {
    const { store, events, bind } = setup();
    store.replace('alice', [bind('alice', 'sip:alice@192.0.2.1', 0)]);
    expect(store.isRegistered('alice')).toBe(false);
    expect(events).toEqual([]);
  });

  it('expires 10,000 bindings of 2,000 users with one timer, each user unregistered exactly once', () => {
    const { timers, store, events, bind } = setup();
    let seed = 7;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const lastExpiry = new Map<string, number>();
    for (let u = 0; u < 2000; u++) {
      const user = `u${u}`;
      const bindings: Binding[] = [];
      for (let c = 0; c < 5; c++) {
        const b = bind(user, `sip:${user}@10.0.${c}.1`, 60_000 + Math.floor(random() * 3_540_000));
        bindings.push(b);
        lastExpiry.set(user, Math.max(lastExpiry.get(user) ?? 0, b.expiresAt));
      }
      store.replace(user, bindings);
    }
    expect(store.size).toBe(10_000);
    expect(events.filter(([e]) => e === 'registered')).toHaveLength(2000);

    const unregisteredAt = new Map<string, number>();
    store.on('unregistered', (user) => {
      expect(unregisteredAt.has(user)).toBe(false);
      unregisteredAt.set(user, timers.clock.now());
    });
    for (let t = 0; t < 3_600_000; t += 30_000) {
      timers.advance(30_000);
      expect(timers.pendingCount).toBeLessThanOrEqual(1);
    }
    expect(store.size).toBe(0);
    expect(unregisteredAt.size).toBe(2000);
    for (const [user, at] of unregisteredAt) expect(at).toBe(lastExpiry.get(user));
    expect(timers.maxPending).toBe(1);
    // One timer at a time, re-armed per distinct expiry instant, never per operation on other users.
    expect(timers.setCount).toBeLessThanOrEqual(10_000 + 1);
    expect(timers.pendingCount).toBe(0);
  });

  it('re-arms the timer only when the earliest expiry changes', () => {
    const { timers, store, bind } = setup();
    store.replace('a', [bind('a', 'sip:a@192.0.2.1', 60_000)]);
    expect(timers.setCount).toBe(1);
    store.replace('b', [bind('b', 'sip:b@192.0.2.1', 120_000)]);
    store.replace('c', [bind('c', 'sip:c@192.0.2.1', 180_000)]);
    store.bindings('a');
    expect(timers.setCount).toBe(1);
    store.replace('d', [bind('d', 'sip:d@192.0.2.1', 30_000)]);
    expect(timers.setCount).toBe(2);
    expect(timers.pendingCount).toBe(1);
  });

  it('listeners may write to the store; their events follow in order', () => {
    const { store, events, bind } = setup();
    store.on('registered', (user) => {
      if (user === 'alice') store.replace('bob', [bind('bob', 'sip:bob@192.0.2.1', 60_000)]);
    });
    store.replace('alice', [bind('alice', 'sip:alice@192.0.2.1', 60_000)]);
    expect(events).toEqual([['registered', 'alice'], ['registered', 'bob']]);
  });

  it('a listener that throws does not break the operation or other listeners', () => {
    const { store, events, bind } = setup();
    store.on('registered', () => {
      throw new Error('boom');
    });
    const seen: string[] = [];
    store.on('registered', (user) => seen.push(user));
    expect(() => store.replace('alice', [bind('alice', 'sip:alice@192.0.2.1', 60_000)])).not.toThrow();
    expect(seen).toEqual(['alice']);
    expect(events).toEqual([['registered', 'alice']]);
  });

  it('refuses a binding of another user', () => {
    const { store, bind } = setup();
    expect(() => store.replace('alice', [bind('bob', 'sip:bob@192.0.2.1', 60_000)])).toThrow(/binding of user "bob"/);
  });

  it('close() stops the timer; lapsed bindings still go on the next read', () => {
    const { timers, store, bind } = setup();
    store.replace('alice', [bind('alice', 'sip:alice@192.0.2.1', 60_000)]);
    store.close();
    expect(timers.pendingCount).toBe(0);
    timers.advance(60_000);
    expect(store.isRegistered('alice')).toBe(false);
    expect(timers.pendingCount).toBe(0);
  });
});

describe('applyRegister with a store', () => {
  it('commits a REGISTER, answers a query, and unregisters with *', () => {
    const { timers, store, events } = setup();
    const contacts = (...v: string[]) => {
      const p = parseContactHeaders(v);
      if (!p.ok) throw new Error(p.error);
      return p.contacts;
    };
    const base = { user: 'alice', callId: 'c1', source: SOURCE };
    let r = applyRegister(store, { ...base, cseq: 1, contacts: contacts('<sip:alice@192.0.2.1>;expires=600'), now: timers.clock.now() }, LIMITS);
    expect(r.status).toBe(200);
    expect(store.bindings('alice').map((b) => b.uri)).toEqual(['sip:alice@192.0.2.1']);
    timers.advance(100_000);
    r = applyRegister(store, { ...base, cseq: 2, contacts: [], now: timers.clock.now() }, LIMITS);
    expect(r.contacts).toEqual(['<sip:alice@192.0.2.1>;expires=500']);
    r = applyRegister(store, { ...base, cseq: 1, contacts: '*', expires: 0, now: timers.clock.now() }, LIMITS);
    expect(r.status).toBe(500);
    expect(store.isRegistered('alice')).toBe(true);
    r = applyRegister(store, { ...base, cseq: 3, contacts: '*', expires: 0, now: timers.clock.now() }, LIMITS);
    expect(r.status).toBe(200);
    expect(store.isRegistered('alice')).toBe(false);
    expect(events).toEqual([['registered', 'alice'], ['unregistered', 'alice']]);
  });

  it('feeds a routing state', () => {
    const { timers, store, bind } = setup();
    store.replace('early', [bind('early', 'sip:early@192.0.2.1', 600_000)]);
    const state = new InMemoryRoutingState();
    const stop = feedRegistrations(store, state);
    expect(state.isRegistered('early')).toBe(true);
    store.replace('alice', [bind('alice', 'sip:alice@192.0.2.1', 60_000)]);
    expect(state.isRegistered('alice')).toBe(true);
    timers.advance(60_000);
    expect(state.isRegistered('alice')).toBe(false);
    stop();
    store.replace('alice', [bind('alice', 'sip:alice@192.0.2.1', 60_000)]);
    expect(state.isRegistered('alice')).toBe(false);
  });
});
