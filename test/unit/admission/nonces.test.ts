import { describe, expect, it } from 'vitest';
import { NonceService } from '../../../src/admission/nonces.js';

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

describe('NonceService', () => {
  it('a nonce is fresh until used, used afterwards, stale after its ttl', () => {
    const nonces = new NonceService({ ttlMs: 30_000 });
    const nonce = nonces.issue(T0);
    expect(nonces.check(nonce, T0)).toBe('fresh');
    expect(nonces.check(nonce, T0 + 30_000)).toBe('fresh');
    nonces.markUsed(nonce, T0 + 1000);
    expect(nonces.check(nonce, T0 + 1000)).toBe('used');
    expect(nonces.check(nonce, T0 + 30_001)).toBe('stale');
    const unused = nonces.issue(T0);
    expect(nonces.check(unused, T0 + 30_001)).toBe('stale');
  });

  it('issuing stores nothing; nonces are distinct', () => {
    const nonces = new NonceService({ ttlMs: 30_000 });
    const issued = new Set(Array.from({ length: 1000 }, () => nonces.issue(T0)));
    expect(issued.size).toBe(1000);
    expect(nonces.size).toBe(0);
  });

  it.each([
    { what: 'empty', nonce: () => '' },
    { what: 'garbage', nonce: () => 'not-a-nonce' },
    { what: 'right length, wrong alphabet', nonce: (n: string) => n.replace(/./, '!') },
    { what: 'one character changed', nonce: (n: string) => (n[5] === 'A' ? n.slice(0, 5) + 'B' + n.slice(6) : n.slice(0, 5) + 'A' + n.slice(6)) },
    { what: 'timestamp moved forward', nonce: (n: string) => { const b = Buffer.from(n, 'base64url'); b[5]! ^= 0x40; return b.toString('base64url'); } },
    { what: 'truncated', nonce: (n: string) => n.slice(0, -1) },
    { what: 'extended', nonce: (n: string) => `${n}A` },
  ])('a forged nonce ($what) is invalid', ({ nonce }) => {
    const nonces = new NonceService({ ttlMs: 30_000 });
    expect(nonces.check(nonce(nonces.issue(T0)), T0)).toBe('invalid');
  });

  it("another process's nonce (other secret) is invalid", () => {
    const ours = new NonceService({ ttlMs: 30_000 });
    const theirs = new NonceService({ ttlMs: 30_000 });
    expect(ours.check(theirs.issue(T0), T0)).toBe('invalid');
    const shared = new Uint8Array(32).fill(9);
    expect(new NonceService({ ttlMs: 30_000, secret: shared }).check(new NonceService({ ttlMs: 30_000, secret: shared }).issue(T0), T0)).toBe('fresh');
  });

  it('used nonces are forgotten once expired, by whole buckets', () => {
    const nonces = new NonceService({ ttlMs: 8000 });
    for (let i = 0; i < 100; i++) nonces.markUsed(nonces.issue(T0 + i * 10), T0 + i * 10);
    expect(nonces.size).toBe(100);
    const late = nonces.issue(T0 + 5000);
    nonces.markUsed(late, T0 + 5000);
    nonces.check(late, T0 + 9000 + 1000); // every early nonce expired by now; the sweep runs on check
    expect(nonces.size).toBe(1);
    expect(nonces.check(late, T0 + 10_000)).toBe('used');
  });

  it('at the memory cap, the oldest used nonces are forgotten and their era turns stale (never fresh again)', () => {
    const nonces = new NonceService({ ttlMs: 8000, maxRemembered: 10 });
    const early = Array.from({ length: 6 }, () => nonces.issue(T0));
    const later = Array.from({ length: 6 }, () => nonces.issue(T0 + 3000));
    for (const n of [...early, ...later]) nonces.markUsed(n, T0 + 3000);
    expect(nonces.size).toBeLessThanOrEqual(10);
    for (const n of early) expect(nonces.check(n, T0 + 3000)).toBe('stale');
    for (const n of later) expect(nonces.check(n, T0 + 3000)).toBe('used');
    expect(nonces.check(nonces.issue(T0 + 3001), T0 + 3001)).toBe('fresh');
  });

  it('refuses a non-positive ttl', () => {
    expect(() => new NonceService({ ttlMs: 0 })).toThrow(/nonce ttl must be positive/);
  });
});
