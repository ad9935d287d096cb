import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newBranch, TIMER_C_MS } from '../../../src/engine/transaction/index.js';
import { Harness, request, responseTo, TCP_DEST, UDP_DEST, UDP_SOURCE } from './harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('retransmits with Timer A doubling and times out with Timer B after 64·T1', () => {
    const h = new Harness();
    const tx = h.layer.request(request('INVITE'), UDP_DEST, h);
    expect(tx.state).toBe('calling');
    vi.advanceTimersByTime(32_000);
    expect(h.timesOf('INVITE')).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(h.timeouts).toEqual([tx]);
    expect(h.terminated).toEqual([tx]);
    expect(h.layer.stats().client).toBe(0);
  });

  it('stops retransmitting on a provisional, then Timer C bounds the wait for a final', () => {
    const h = new Harness();
    const invite = request('INVITE');
    const tx = h.layer.request(invite, UDP_DEST, h);
    h.layer.receiveResponse(responseTo(invite, 180), UDP_SOURCE);
    expect(tx.state).toBe('proceeding');
    expect(tx.provisionalReceived).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(h.timesOf('INVITE')).toEqual([0]);
    h.layer.receiveResponse(responseTo(invite, 183), UDP_SOURCE); // re-arms Timer C
    vi.advanceTimersByTime(TIMER_C_MS - 1);
    expect(h.timeouts).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(h.timeouts).toEqual([tx]);
  });

  it('ACKs a non-2xx final, re-ACKs its retransmissions without telling the TU, and ends after Timer D', () => {
    const h = new Harness();
    const invite = request('INVITE');
    const tx = h.layer.request(invite, UDP_DEST, h);
    h.layer.receiveResponse(responseTo(invite, 486), UDP_SOURCE);
    expect(tx.state).toBe('completed');
    expect(tx.finalStatus).toBe(486);
    h.layer.receiveResponse(responseTo(invite, 486), UDP_SOURCE);
    expect(h.responses.map((r) => r.status)).toEqual([486]);
    const acks = h.sent.filter((s) => s.text.startsWith('ACK '));
    expect(acks).toHaveLength(2);
    // Same branch and Request-URI as the INVITE, To from the response (RFC 3261 §17.1.1.3).
    expect(acks[0]!.text).toContain('branch=z9hG4bK-test-1');
    expect(acks[0]!.text).toMatch(/^ACK sip:bob@127\.0\.0\.1 SIP\/2\.0/);
    expect(acks[0]!.text).toContain('tag=peer1');
    expect(acks[0]!.text).toContain('CSeq: 1 ACK');
    vi.advanceTimersByTime(32_000);
    expect(h.terminated).toEqual([tx]);
  });

  it('passes every 2xx to the TU in Accepted and ends after Timer M; later 2xx are strays', () => {
    const h = new Harness();
    const invite = request('INVITE');
    const tx = h.layer.request(invite, UDP_DEST, h);
    h.layer.receiveResponse(responseTo(invite, 200), UDP_SOURCE);
    h.layer.receiveResponse(responseTo(invite, 200), UDP_SOURCE);
    h.layer.receiveResponse(responseTo(invite, 200, 'second-fork'), UDP_SOURCE);
    expect(tx.state).toBe('accepted');
    expect(h.responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(h.sent.filter((s) => s.text.startsWith('ACK '))).toHaveLength(0); // the TU ACKs 2xx
    vi.advanceTimersByTime(32_000);
    expect(h.terminated).toEqual([tx]);
    h.layer.receiveResponse(responseTo(invite, 200), UDP_SOURCE);
    expect(h.strays).toHaveLength(1);
  });

  it('on a reliable transport does not retransmit and ends at once after a non-2xx', () => {
    const h = new Harness();
    const invite = request('INVITE');
    const tx = h.layer.request(invite, TCP_DEST, h);
    vi.advanceTimersByTime(10_000);
    expect(h.timesOf('INVITE')).toEqual([0]);
    h.layer.receiveResponse(responseTo(invite, 603), UDP_SOURCE);
    expect(tx.state).toBe('terminated');
    expect(h.sent.filter((s) => s.text.startsWith('ACK ')).map((s) => s.dest.connectionId)).toEqual([7]);
  });

  it('reports a transport error and terminates', async () => {
    const h = new Harness();
    h.failSends = new Error('connection refused');
    const tx = h.layer.request(request('INVITE'), TCP_DEST, h);
    await Promise.resolve();
    expect(h.transportErrors).toEqual([tx]);
    expect(h.layer.stats().client).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits with Timer E doubling up to T2 and times out with Timer F', () => {
    const h = new Harness();
    const tx = h.layer.request(request('OPTIONS'), UDP_DEST, h);
    vi.advanceTimersByTime(32_000);
    expect(h.timesOf('OPTIONS')).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(h.timeouts).toEqual([tx]);
  });

  it('retransmits every T2 once a provisional arrived', () => {
    const h = new Harness();
    const options = request('OPTIONS');
    h.layer.request(options, UDP_DEST, h);
    vi.advanceTimersByTime(600);
    h.layer.receiveResponse(responseTo(options, 100), UDP_SOURCE);
    vi.advanceTimersByTime(10_000);
    expect(h.timesOf('OPTIONS')).toEqual([0, 500, 1500, 5500, 9500]);
  });

  it('passes the final once, and absorbs retransmissions until Timer K (T4) from the linger table', () => {
    const h = new Harness();
    const bye = request('BYE', { toTag: 'x' });
    const tx = h.layer.request(bye, UDP_DEST, h);
    h.layer.receiveResponse(responseTo(bye, 200), UDP_SOURCE);
    // Only absorbing is left: the transaction ends now and its key lingers outside the heap.
    expect(tx.state).toBe('terminated');
    expect(h.terminated).toEqual([tx]);
    expect(h.layer.stats()).toMatchObject({ client: 0, lingering: 1 });
    h.layer.receiveResponse(responseTo(bye, 200), UDP_SOURCE);
    vi.advanceTimersByTime(4_999);
    h.layer.receiveResponse(responseTo(bye, 200), UDP_SOURCE);
    expect(h.responses.map((r) => r.status)).toEqual([200]);
    expect(h.strays).toHaveLength(0);
    vi.advanceTimersByTime(1);
    h.layer.receiveResponse(responseTo(bye, 200), UDP_SOURCE);
    expect(h.strays).toHaveLength(1); // Timer K has passed
    vi.advanceTimersByTime(1_000);
    expect(h.layer.stats().lingering).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends at once after the final on a reliable transport', () => {
    const h = new Harness();
    const bye = request('BYE', { toTag: 'x' });
    const tx = h.layer.request(bye, TCP_DEST, h);
    h.layer.receiveResponse(responseTo(bye, 200), UDP_SOURCE);
    expect(tx.state).toBe('terminated');
  });
});

describe('client matching (RFC 3261 §17.1.3)', () => {
  it('matches by branch and CSeq method: a CANCEL shares the INVITE branch but not its transaction', () => {
    const h = new Harness();
    const invite = request('INVITE');
    const cancel = request('CANCEL', { cseqMethod: 'CANCEL' });
    const inviteTx = h.layer.request(invite, UDP_DEST, h);
    const cancelTx = h.layer.request(cancel, UDP_DEST, h);
    h.layer.receiveResponse(responseTo(cancel, 200), UDP_SOURCE);
    h.layer.receiveResponse(responseTo(invite, 487), UDP_SOURCE);
    expect(h.responses.map((r) => [r.tx, r.status])).toEqual([
      [cancelTx, 200],
      [inviteTx, 487],
    ]);
  });

  it('sends responses that match nothing to the TU as strays', () => {
    const h = new Harness();
    h.layer.receiveResponse(responseTo(request('INVITE', { branch: 'z9hG4bK-unknown' }), 200), UDP_SOURCE);
    expect(h.strays).toHaveLength(1);
  });

  it('newBranch() gives unique RFC 3261 branches', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(newBranch());
    expect(seen.size).toBe(10_000);
    for (const b of [...seen].slice(0, 10)) expect(b).toMatch(/^z9hG4bK[A-Za-z0-9.]{8,}$/);
  });

  it('reports live transactions by kind and state', () => {
    const h = new Harness();
    h.layer.request(request('INVITE'), UDP_DEST, h);
    h.layer.request(request('OPTIONS', { branch: 'z9hG4bK-2' }), UDP_DEST, h);
    h.layer.receiveRequest(request('INVITE', { branch: 'z9hG4bK-3' }), UDP_SOURCE);
    expect(h.layer.stats()).toEqual({
      server: 1,
      client: 2,
      lingering: 0,
      byState: { 'server:invite:proceeding': 1, 'client:invite:calling': 1, 'client:non-invite:trying': 1 },
    });
  });
});
