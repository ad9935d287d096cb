import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Harness, request, responseTo, TCP_SOURCE, UDP_DEST, UDP_SOURCE } from './harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('released transactions (what lingers through Timer J/L/M)', () => {
  it('a released non-INVITE server transaction drops its context and parsed messages, and still repeats its answer', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('BYE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    tx.context = { call: 1 };
    h.respond(tx, 200);
    expect(tx.context).toEqual({ call: 1 }); // the TU owns it: not dropped by itself
    tx.release();
    expect(tx.context).toBeUndefined();
    h.layer.receiveRequest(request('BYE'), UDP_SOURCE);
    expect(h.startLines()).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
    expect(tx.finalStatus).toBe(200);
    expect(tx.lastResponse?.toTag).toBe('srv1');
    // Over UDP neither the request nor its source is kept: a copy is routed by itself.
    expect(() => tx.request).toThrow(/released BYE/);
    expect(tx.source).toBeUndefined();
  });

  /** A BYE over UDP, answered 200 and released. */
  function releasedUdpBye(): Harness {
    const h = new Harness();
    h.layer.receiveRequest(request('BYE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    h.respond(tx, 200);
    tx.release();
    return h;
  }

  it('a released UDP non-INVITE answers a copy from a new port (a NAT rebinding, rport) there, and a copy from the same place where the first answer went', () => {
    const h = releasedUdpBye();
    h.layer.receiveRequest(request('BYE'), UDP_SOURCE);
    h.layer.receiveRequest(request('BYE'), { ...UDP_SOURCE, port: UDP_SOURCE.port + 1 });
    expect(h.startLines()).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
    expect(h.sent[1]!.dest).toBe(h.sent[0]!.dest); // one shared object per UDP destination
    expect(h.sent[2]!.dest).toMatchObject({ transport: 'udp', port: UDP_SOURCE.port + 1 });
  });

  it('a released UDP non-INVITE answers a copy that came over TCP on that connection', () => {
    const h = releasedUdpBye();
    h.layer.receiveRequest(request('BYE'), TCP_SOURCE);
    expect(h.startLines()).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
    expect(h.sent[1]!.dest).toMatchObject({ transport: 'tcp', connectionId: TCP_SOURCE.connectionId });
  });

  it('ids are made when read: one per server transaction, a client transaction\'s is its branch', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('BYE'), UDP_SOURCE);
    const server = h.requests[0]!.tx;
    expect(server.id).toMatch(/^s[0-9a-z]+$/);
    h.layer.receiveRequest(request('OPTIONS'), UDP_SOURCE);
    expect(h.requests[1]!.tx.id).not.toBe(server.id);
    const invite = request('INVITE');
    const client = h.layer.request(invite, UDP_DEST, h);
    expect(client.id).toBe(invite.via!.branch);
  });

  it('a released INVITE still waiting for the ACK of its non-2xx parses its request again when read', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    tx.context = { call: 1 };
    const before = tx.request;
    h.respond(tx, 486);
    tx.release();
    expect(tx.request).not.toBe(before);
    expect(tx.request.toString()).toBe(before.toString());
    vi.advanceTimersByTime(500);
    expect(h.timesOf('SIP/2.0 486')).toEqual([0, 500]); // Timer G still runs
  });

  it('an ACKed INVITE moves to the linger table and absorbs retransmissions there until Timer L', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    tx.context = { call: 1 };
    h.respond(tx, 200);
    vi.advanceTimersByTime(100);
    tx.ackReceived();
    tx.release();
    // Ended as an object (the TU hears of it as usual), kept as a key outside the heap.
    expect(tx.state).toBe('terminated');
    expect(h.serverEnds).toEqual([{ tx, reason: 'completed' }]);
    expect(h.layer.stats()).toMatchObject({ server: 0, lingering: 1 });
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    expect(h.requests).toHaveLength(1);
    expect(h.timesOf('SIP/2.0 200')).toEqual([0]);
    expect(tx.finalStatus).toBe(200);
    expect(tx.lastResponse).toBeUndefined();
    // An ACK on the INVITE's key (an RFC 2543 peer's ACK for the 2xx) still goes to the TU;
    // a CANCEL finds no INVITE to cancel, as before the move (the TU answers 481 either way).
    h.layer.receiveRequest(request('ACK', { cseqMethod: 'ACK' }), UDP_SOURCE);
    expect(h.acks).toHaveLength(1);
    h.layer.receiveRequest(request('CANCEL'), UDP_SOURCE);
    expect(h.cancels.map((c) => c.invite)).toEqual([undefined]);
    // Timer L counts from the 2xx, not from the move.
    vi.advanceTimersByTime(64 * 500 - 101);
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    expect(h.requests).toHaveLength(1);
    vi.advanceTimersByTime(1);
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    expect(h.requests).toHaveLength(2); // a new transaction
  });

  it('an ACKed INVITE over TCP lingers too (Timer L applies to every transport)', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), TCP_SOURCE);
    const tx = h.requests[0]!.tx;
    h.respond(tx, 200);
    tx.ackReceived();
    tx.release();
    h.layer.receiveRequest(request('INVITE'), TCP_SOURCE);
    expect(h.requests).toHaveLength(1);
    expect(h.layer.stats()).toMatchObject({ server: 0, lingering: 1 });
  });

  it('a released UDP non-INVITE answers copies from the linger table until Timer J, then a copy is a new request', () => {
    const h = releasedUdpBye();
    expect(h.layer.stats()).toMatchObject({ server: 0, lingering: 1 });
    vi.advanceTimersByTime(64 * 500 - 1);
    h.layer.receiveRequest(request('BYE'), UDP_SOURCE);
    expect(h.startLines()).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
    expect(h.sent[1]!.text).toBe(h.sent[0]!.text);
    vi.advanceTimersByTime(1);
    h.layer.receiveRequest(request('BYE'), UDP_SOURCE);
    expect(h.requests).toHaveLength(2);
    expect(h.startLines()).toHaveLength(2);
  });

  /** An INVITE we sent, answered 200 by tag peer1, its dialog then ended with our ACK kept. */
  function answeredAndEnded(ack?: { bytes: Buffer; dest: typeof UDP_DEST; cseq: number }): { h: Harness; invite: ReturnType<typeof request> } {
    const h = new Harness();
    const invite = request('INVITE');
    const tx = h.layer.request(invite, UDP_DEST, h);
    h.layer.receiveResponse(responseTo(invite, 200), UDP_SOURCE);
    vi.advanceTimersByTime(1000);
    h.layer.lingerAnswered(tx, 'peer1', ack);
    expect(tx.state).toBe('terminated');
    expect(h.terminated).toEqual([tx]);
    expect(h.layer.stats()).toMatchObject({ client: 0, lingering: 1 });
    return { h, invite };
  }

  const ACK_DEST = { transport: 'udp', address: '127.0.0.1', port: 5099 } as const;

  it('an answered INVITE whose dialog ended re-sends the kept ACK for its 2xx until Timer M, and hands another fork\'s 2xx to the TU', () => {
    const { h, invite } = answeredAndEnded({ bytes: Buffer.from('ACK sip:bob@127.0.0.1 SIP/2.0\r\n\r\n'), dest: ACK_DEST, cseq: 1 });
    h.layer.receiveResponse(responseTo(invite, 200), UDP_SOURCE);
    expect(h.startLines()).toEqual(['INVITE sip:bob@127.0.0.1 SIP/2.0', 'ACK sip:bob@127.0.0.1 SIP/2.0']);
    expect(h.sent[1]!.dest).toBe(ACK_DEST);
    h.layer.receiveResponse(responseTo(invite, 180), UDP_SOURCE); // absorbed, as in Accepted
    h.layer.receiveResponse(responseTo(invite, 200, 'peer2'), UDP_SOURCE);
    expect(h.lateForks.map((r) => r.toTag)).toEqual(['peer2']);
    expect(h.responses.map((r) => r.status)).toEqual([200]); // the handler saw only the first
    expect(h.strays).toHaveLength(0);
    vi.advanceTimersByTime(64 * 500 - 1000); // Timer M counts from the 2xx
    h.layer.receiveResponse(responseTo(invite, 200), UDP_SOURCE);
    expect(h.strays).toHaveLength(1);
    expect(h.startLines()).toHaveLength(2);
  });

  it('an answered INVITE whose dialog ended before any ACK absorbs its 2xx; lingerAnswered ignores a transaction no longer accepted', () => {
    const { h, invite } = answeredAndEnded(undefined);
    h.layer.receiveResponse(responseTo(invite, 200), UDP_SOURCE);
    expect(h.startLines()).toEqual(['INVITE sip:bob@127.0.0.1 SIP/2.0']);
    const busy = request('INVITE', { branch: 'z9hG4bK-busy' });
    const tx = h.layer.request(busy, UDP_DEST, h);
    h.layer.receiveResponse(responseTo(busy, 486), UDP_SOURCE);
    h.layer.lingerAnswered(tx, 'peer1', undefined);
    expect(tx.state).toBe('completed');
    expect(h.layer.stats()).toMatchObject({ client: 1, lingering: 1 });
  });

  it('a client transaction parses its request again after the final response, byte for byte', () => {
    const h = new Harness();
    const invite = request('INVITE');
    const tx = h.layer.request(invite, UDP_DEST, h);
    const text = invite.toString();
    h.layer.receiveResponse(responseTo(invite, 486), UDP_SOURCE);
    expect(tx.state).toBe('completed');
    expect(tx.request).not.toBe(invite);
    expect(tx.request.toString()).toBe(text);
  });

  it('counts transactions by state as they move, without walking them', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    expect(h.layer.stats().byState).toEqual({ 'server:invite:proceeding': 1 });
    h.respond(tx, 200);
    expect(h.layer.stats().byState).toEqual({ 'server:invite:accepted': 1 });
    const bye = request('BYE');
    h.layer.request(bye, UDP_DEST, h);
    expect(h.layer.stats().byState).toEqual({ 'server:invite:accepted': 1, 'client:non-invite:trying': 1 });
    h.layer.receiveResponse(responseTo(bye, 200), UDP_SOURCE);
    // The answered BYE only absorbs copies until Timer K: it left the tables for the linger table.
    expect(h.layer.stats()).toEqual({ server: 1, client: 0, lingering: 1, byState: { 'server:invite:accepted': 1 } });
    vi.advanceTimersByTime(64 * 500);
    expect(h.layer.stats()).toEqual({ server: 0, client: 0, lingering: 0, byState: {} });
  });
});
