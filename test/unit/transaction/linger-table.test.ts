import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_SIDE, LINGER_ABSORB, LINGER_ANSWER, LINGER_REACK, LingerTable, SERVER_SIDE } from '../../../src/engine/transaction/linger-table.js';
import type { Destination } from '../../../src/engine/transport/index.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A table on a clock the test moves. */
function table(entries = 4, bytes = 64): { t: LingerTable; clock: { now: number } } {
  const clock = { now: 0 };
  return { t: new LingerTable(() => clock.now, entries, bytes), clock };
}

const S = SERVER_SIDE;
const DEST: Destination = { transport: 'udp', address: '127.0.0.1', port: 5090 };

describe('LingerTable (lingering transactions outside the heap)', () => {
  it('finds what was added by key, with its kind, bytes, destination, tag and CSeq', () => {
    const { t } = table();
    t.add(S, 'z9hG4bK-a|127.0.0.1:5061|BYE|c1|2', LINGER_ANSWER, 32_000, Buffer.from('SIP/2.0 200 OK\r\n\r\n'));
    t.add(S, 'z9hG4bK-b|INVITE', LINGER_REACK, 32_000, Buffer.from('ACK sip:b SIP/2.0\r\n\r\n'), DEST, 'tag-b', 7);
    t.add(S, 'z9hG4bK-c|127.0.0.1:5061|INVITE|c3|1', LINGER_ABSORB, 32_000);
    const a = t.find(S, 'z9hG4bK-a|127.0.0.1:5061|BYE|c1|2');
    expect(t.kindAt(a)).toBe(LINGER_ANSWER);
    expect(t.bytesAt(a)!.toString()).toBe('SIP/2.0 200 OK\r\n\r\n');
    expect(t.destinationAt(a)).toBeUndefined();
    const b = t.find(S, 'z9hG4bK-b|INVITE');
    expect(t.kindAt(b)).toBe(LINGER_REACK);
    expect(t.destinationAt(b)).toBe(DEST);
    expect(t.tagIs(b, 'tag-b')).toBe(true);
    expect(t.tagIs(b, 'tag-x')).toBe(false);
    expect(t.tagIs(b, undefined)).toBe(false);
    expect(t.cseqAt(b)).toBe(7);
    const c = t.find(S, 'z9hG4bK-c|127.0.0.1:5061|INVITE|c3|1');
    expect(t.kindAt(c)).toBe(LINGER_ABSORB);
    expect(t.bytesAt(c)).toBeUndefined();
    expect(t.find(S, 'z9hG4bK-a|127.0.0.1:5061|BYE|c1|3')).toBe(-1);
    expect(t.find(S, '')).toBe(-1);
    expect(t.size).toBe(3);
    t.close();
  });

  it('counts an entry past its expiry as gone at once, and sweeps it from the head later with its bytes and destination', () => {
    const { t, clock } = table();
    t.add(S, 'k1', LINGER_ANSWER, 1000, Buffer.alloc(10, 1), DEST);
    t.add(S, 'k2', LINGER_ANSWER, 2000, Buffer.alloc(10, 2));
    clock.now = 1000;
    expect(t.find(S, 'k1')).toBe(-1); // not swept yet, but expired
    expect(t.find(S, 'k2')).toBeGreaterThanOrEqual(0);
    vi.advanceTimersByTime(1000);
    expect(t.size).toBe(1);
    expect(t.byteSize).toBe(10);
    clock.now = 2000;
    vi.advanceTimersByTime(1000);
    expect(t.size).toBe(0);
    expect(t.byteSize).toBe(0);
    expect(vi.getTimerCount()).toBe(0); // an empty table holds no timer
  });

  it('grows its entries and byte ring past their first size, keeping every entry and its bytes', () => {
    const { t } = table(4, 64);
    for (let i = 0; i < 1000; i++) t.add(S, `key-${i}`, LINGER_ANSWER, 32_000, Buffer.from(`answer number ${i}`));
    expect(t.size).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(t.bytesAt(t.find(S, `key-${i}`))!.toString()).toBe(`answer number ${i}`);
    t.close();
  });

  it('grows its byte ring for an entry larger than half of it without losing a byte of it or of the others, and hands out copies', () => {
    const { t } = table(4, 16);
    t.add(S, 'a', LINGER_ANSWER, 32_000, Buffer.from('0123456789'));
    t.add(S, 'b', LINGER_ANSWER, 32_000, Buffer.from('abcdefghijklmno'));
    t.add(S, 'c', LINGER_ANSWER, 32_000, Buffer.alloc(100, 'z'));
    expect(t.bytesAt(t.find(S, 'a'))!.toString()).toBe('0123456789');
    expect(t.bytesAt(t.find(S, 'b'))!.toString()).toBe('abcdefghijklmno');
    expect(t.bytesAt(t.find(S, 'c'))!.toString()).toBe('z'.repeat(100));
    expect(t.byteSize).toBe(125); // no gap left where an entry was counted before it had its place
    const copy = t.bytesAt(t.find(S, 'a'))!;
    copy.fill(0);
    expect(t.bytesAt(t.find(S, 'a'))!.toString()).toBe('0123456789');
    t.close();
  });

  it('keeps server and client keys apart even when the strings are equal', () => {
    const { t } = table();
    t.add(SERVER_SIDE, 'z9hG4bK-x|INVITE', LINGER_ABSORB, 32_000);
    expect(t.find(CLIENT_SIDE, 'z9hG4bK-x|INVITE')).toBe(-1);
    expect(t.find(SERVER_SIDE, 'z9hG4bK-x|INVITE')).toBeGreaterThanOrEqual(0);
    t.close();
  });

  it('wraps its byte ring as old entries expire, without growing, and keeps the bytes intact', () => {
    const { t, clock } = table(64, 256);
    // 80-byte answers, one every 500 ms, each kept 700 ms: at most two live (160 of the ring's 256
    // bytes), so the ring goes on only by wrapping into the space the expired ones freed.
    for (let i = 0; i < 100; i++) {
      clock.now = i * 500;
      vi.advanceTimersByTime(500);
      t.add(S, `k${i}`, LINGER_ANSWER, clock.now + 700, Buffer.alloc(80, i));
      expect(t.bytesAt(t.find(S, `k${i}`))!.equals(Buffer.alloc(80, i))).toBe(true);
      if (i > 0) expect(t.bytesAt(t.find(S, `k${i - 1}`))!.equals(Buffer.alloc(80, i - 1))).toBe(true);
    }
    expect(t.byteCapacity).toBe(256);
    t.close();
  });

  it('matches a Map through random adds and expiries (deletion by backward shift keeps every probe chain whole)', () => {
    const { t, clock } = table(8, 64);
    const model = new Map<string, { at: number; value: string }>();
    let seed = 42;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let step = 0; step < 20_000; step++) {
      clock.now = step;
      if (step % 50 === 0) vi.advanceTimersByTime(50);
      const key = `key-${Math.floor(random() * 3000)}`;
      const live = model.get(key);
      if (live !== undefined && live.at > step) {
        expect(t.bytesAt(t.find(S, key))!.toString()).toBe(live.value);
        continue;
      }
      const value = `v${step}`;
      const at = step + 200 + Math.floor(random() * 100);
      t.add(S, key, LINGER_ANSWER, at, Buffer.from(value));
      model.set(key, { at, value });
    }
    for (const [key, { at, value }] of model) {
      const found = t.find(S, key);
      if (at > clock.now) expect(t.bytesAt(found)!.toString()).toBe(value);
      else expect(found).toBe(-1);
    }
    // Swept down to the live ones (plus those stuck behind a later-expiring head).
    expect(t.size).toBeLessThan(model.size);
    t.close();
  });

  it('keeps one reference per destination however many entries use it, and lets it go with the last', () => {
    const { t, clock } = table();
    const other: Destination = { transport: 'udp', address: '127.0.0.1', port: 5092 };
    t.add(S, 'a', LINGER_REACK, 100, Buffer.from('ACK'), DEST, 't', 1);
    t.add(S, 'b', LINGER_REACK, 200, Buffer.from('ACK'), DEST, 't', 1);
    t.add(S, 'c', LINGER_REACK, 300, Buffer.from('ACK'), other, 't', 1);
    expect(t.destinationAt(t.find(S, 'b'))).toBe(DEST);
    clock.now = 250;
    vi.advanceTimersByTime(300);
    expect(t.size).toBe(1);
    expect(t.destinationAt(t.find(S, 'c'))).toBe(other);
    t.add(S, 'd', LINGER_REACK, 400, Buffer.from('ACK'), DEST, 't', 1);
    expect(t.destinationAt(t.find(S, 'd'))).toBe(DEST);
    t.close();
    expect(t.size).toBe(0);
  });

  it('keeps nothing once closed', () => {
    const { t } = table();
    t.close();
    t.add(S, 'a', LINGER_ABSORB, 100);
    expect(t.find(S, 'a')).toBe(-1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
