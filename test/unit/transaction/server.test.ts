import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { Harness, request, TCP_SOURCE, UDP_SOURCE } from './harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('hands a new INVITE to the TU once and answers retransmissions with the last provisional', () => {
    const h = new Harness();
    const invite = request('INVITE');
    h.layer.receiveRequest(invite, UDP_SOURCE);
    expect(h.requests).toHaveLength(1);
    const tx = h.requests[0]!.tx;
    expect(tx.state).toBe('proceeding');
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    expect(h.sent).toHaveLength(0); // nothing to repeat yet
    h.respond(tx, 180);
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    expect(h.requests).toHaveLength(1);
    expect(h.startLines()).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 180 Ringing']);
  });

  it('retransmits a non-2xx final with Timer G doubling up to T2 until Timer H ends it with no-ack', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    h.respond(tx, 486);
    expect(tx.state).toBe('completed');
    vi.advanceTimersByTime(32_000);
    // 0, then G = 0.5, 1, 2, 4, 4, 4 … s: sends at 0, .5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5
    expect(h.timesOf('SIP/2.0 486')).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(h.serverEnds.map((e) => e.reason)).toEqual(['no-ack']);
    expect(tx.state).toBe('terminated');
    expect(h.layer.stats().server).toBe(0);
  });

  it('absorbs the ACK for a non-2xx, confirms, and ends after Timer I (T4)', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    h.respond(tx, 404);
    h.layer.receiveRequest(request('ACK', { cseqMethod: 'ACK', toTag: 'srv1' }), UDP_SOURCE);
    expect(h.acks).toHaveLength(0);
    expect(tx.state).toBe('confirmed');
    vi.advanceTimersByTime(5_000 - 1);
    expect(h.serverEnds).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(h.serverEnds.map((e) => e.reason)).toEqual(['completed']);
    expect(h.timesOf('SIP/2.0 404')).toEqual([0]); // no retransmission after the ACK
  });

  it('re-sends the final response when the INVITE is retransmitted in Completed', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    h.respond(h.requests[0]!.tx, 503);
    vi.advanceTimersByTime(100);
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    expect(h.timesOf('SIP/2.0 503')).toEqual([0, 100]);
  });

  it('on a reliable transport sends no Timer G retransmissions and ends at once after the ACK', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), TCP_SOURCE);
    const tx = h.requests[0]!.tx;
    h.respond(tx, 486);
    vi.advanceTimersByTime(10_000);
    expect(h.timesOf('SIP/2.0 486')).toEqual([0]);
    h.layer.receiveRequest(request('ACK', { cseqMethod: 'ACK', toTag: 'srv1' }), TCP_SOURCE);
    expect(h.serverEnds.map((e) => e.reason)).toEqual(['completed']);
  });

  it('retransmits a 2xx until ackReceived(), absorbs INVITE retransmissions, and ends after Timer L', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    h.respond(tx, 200);
    expect(tx.state).toBe('accepted');
    vi.advanceTimersByTime(1600);
    expect(h.timesOf('SIP/2.0 200')).toEqual([0, 500, 1500]);
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    expect(h.timesOf('SIP/2.0 200')).toHaveLength(3); // absorbed
    // The ACK for a 2xx has its own branch: the TU gets it.
    h.layer.receiveRequest(request('ACK', { branch: 'z9hG4bK-ack-2', cseqMethod: 'ACK', toTag: 'srv1' }), UDP_SOURCE);
    expect(h.acks).toHaveLength(1);
    tx.ackReceived();
    vi.advanceTimersByTime(10_000);
    expect(h.timesOf('SIP/2.0 200')).toHaveLength(3);
    vi.advanceTimersByTime(32_000);
    expect(h.serverEnds.map((e) => e.reason)).toEqual(['completed']);
  });

  it('reports no-ack when Timer L fires without ackReceived()', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    h.respond(h.requests[0]!.tx, 200);
    vi.advanceTimersByTime(32_000);
    expect(h.serverEnds.map((e) => e.reason)).toEqual(['no-ack']);
    // 0, .5, 1.5, 3.5, 7.5, 11.5 … 31.5: the 2xx doubles up to T2 too.
    expect(h.timesOf('SIP/2.0 200').slice(0, 6)).toEqual([0, 500, 1500, 3500, 7500, 11500]);
  });

  it('refuses illegal responses with SB_TRANSACTION_STATE', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    h.respond(tx, 486);
    const attempts = [180, 200, 500];
    for (const status of attempts) {
      let error: unknown;
      try {
        h.respond(tx, status);
      } catch (err) {
        error = err;
      }
      expect(isSwitchboardError(error, 'SB_TRANSACTION_STATE'), `status ${status}`).toBe(true);
    }
  });

  it('allows further 2xx in Accepted (RFC 6026) but no provisional', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    h.respond(tx, 200);
    h.respond(tx, 200);
    expect(() => h.respond(tx, 180)).toThrow(/final response was already sent/);
  });

  it('ends with transport-error when a response cannot be sent', async () => {
    const h = new Harness();
    h.failSends = new Error('unreachable');
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    h.respond(h.requests[0]!.tx, 486);
    await Promise.resolve();
    expect(h.serverEnds.map((e) => e.reason)).toEqual(['transport-error']);
    expect(h.layer.stats().server).toBe(0);
  });
});

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('absorbs retransmissions in Trying, repeats the provisional in Proceeding and the final in Completed', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('OPTIONS'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    expect(tx.state).toBe('trying');
    h.layer.receiveRequest(request('OPTIONS'), UDP_SOURCE);
    expect(h.sent).toHaveLength(0);
    h.respond(tx, 183);
    expect(tx.state).toBe('proceeding');
    h.layer.receiveRequest(request('OPTIONS'), UDP_SOURCE);
    h.respond(tx, 200);
    h.layer.receiveRequest(request('OPTIONS'), UDP_SOURCE);
    expect(h.startLines()).toEqual(['SIP/2.0 183 Session Progress', 'SIP/2.0 183 Session Progress', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
    expect(h.requests).toHaveLength(1);
  });

  it('ends after Timer J (64·T1) on UDP, at once on TCP', () => {
    const udp = new Harness();
    udp.layer.receiveRequest(request('BYE', { toTag: 'x' }), UDP_SOURCE);
    udp.respond(udp.requests[0]!.tx, 200);
    vi.advanceTimersByTime(31_999);
    expect(udp.serverEnds).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(udp.serverEnds.map((e) => e.reason)).toEqual(['completed']);
    const tcp = new Harness();
    tcp.layer.receiveRequest(request('BYE', { toTag: 'x' }), TCP_SOURCE);
    tcp.respond(tcp.requests[0]!.tx, 200);
    expect(tcp.serverEnds.map((e) => e.reason)).toEqual(['completed']);
    expect(tcp.layer.stats()).toMatchObject({ server: 0, client: 0 });
  });

  it('scales with T1: Timer J is 64·T1', () => {
    const h = new Harness({ t1: 50 });
    h.layer.receiveRequest(request('OPTIONS'), UDP_SOURCE);
    h.respond(h.requests[0]!.tx, 200);
    vi.advanceTimersByTime(3_200);
    expect(h.serverEnds).toHaveLength(1);
  });
});

describe('server matching (RFC 3261 §17.2.3)', () => {
  it('keeps requests with different branches, sent-by, methods or Call-IDs apart', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('OPTIONS'), UDP_SOURCE);
    h.layer.receiveRequest(request('OPTIONS', { branch: 'z9hG4bK-other' }), UDP_SOURCE);
    h.layer.receiveRequest(request('OPTIONS', { viaHost: '127.0.0.2:5061' }), UDP_SOURCE);
    h.layer.receiveRequest(request('INFO', { cseqMethod: 'INFO' }), UDP_SOURCE);
    h.layer.receiveRequest(request('OPTIONS', { callId: 'reused-branch' }), UDP_SOURCE);
    expect(h.requests).toHaveLength(5);
  });

  it('falls back to RFC 2543 matching without the magic cookie, the bare cookie included', () => {
    for (const branch of ['abc123', 'z9hG4bK']) {
      const h = new Harness();
      h.layer.receiveRequest(request('INVITE', { branch }), UDP_SOURCE);
      h.layer.receiveRequest(request('INVITE', { branch }), UDP_SOURCE);
      expect(h.requests, branch).toHaveLength(1);
      h.respond(h.requests[0]!.tx, 486);
      h.layer.receiveRequest(request('ACK', { branch, cseqMethod: 'ACK', toTag: 'srv1' }), UDP_SOURCE);
      expect(h.requests[0]!.tx.state, branch).toBe('confirmed');
      expect(h.acks, branch).toHaveLength(0);
      h.layer.receiveRequest(request('INVITE', { branch, cseq: 2 }), UDP_SOURCE);
      expect(h.requests, branch).toHaveLength(2);
    }
  });

  it('matches a CANCEL to its INVITE, and reports none when there is no INVITE', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    h.layer.receiveRequest(request('CANCEL', { cseqMethod: 'CANCEL' }), UDP_SOURCE);
    expect(h.cancels).toHaveLength(1);
    expect(h.cancels[0]!.invite).toBe(h.requests[0]!.tx);
    expect(h.cancels[0]!.tx.method).toBe('CANCEL');
    h.layer.receiveRequest(request('CANCEL', { branch: 'z9hG4bK-nothing', cseqMethod: 'CANCEL' }), UDP_SOURCE);
    expect(h.cancels[1]!.invite).toBeUndefined();
    // The CANCEL's own retransmission is absorbed by its transaction.
    h.layer.receiveRequest(request('CANCEL', { cseqMethod: 'CANCEL' }), UDP_SOURCE);
    expect(h.cancels).toHaveLength(2);
  });

  it('passes an ACK that matches nothing to the TU', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('ACK', { cseqMethod: 'ACK', toTag: 'x' }), UDP_SOURCE);
    expect(h.acks).toHaveLength(1);
    expect(h.layer.stats().server).toBe(0);
  });

  it('answers a retransmission that came over another connection over that connection', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), TCP_SOURCE);
    h.respond(h.requests[0]!.tx, 486);
    h.layer.receiveRequest(request('INVITE'), { ...TCP_SOURCE, connectionId: 9, port: 40000 });
    expect(h.sent.map((s) => s.dest.connectionId)).toEqual([7, 9]);
  });

  it('close() ends every live transaction with reason closed and clears the tables', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    h.layer.receiveRequest(request('OPTIONS'), UDP_SOURCE);
    h.layer.close();
    expect(h.serverEnds.map((e) => e.reason)).toEqual(['closed', 'closed']);
    expect(h.layer.stats()).toMatchObject({ server: 0, client: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });
});
