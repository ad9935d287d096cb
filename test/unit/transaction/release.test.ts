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

  it('an ACKed INVITE keeps nothing but its final status while it absorbs retransmissions (Timer L)', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    tx.context = { call: 1 };
    h.respond(tx, 200);
    tx.ackReceived();
    tx.release();
    h.layer.receiveRequest(request('INVITE'), UDP_SOURCE);
    expect(h.requests).toHaveLength(1);
    expect(h.timesOf('SIP/2.0 200')).toEqual([0]);
    expect(tx.finalStatus).toBe(200);
    expect(tx.lastResponse).toBeUndefined();
    vi.advanceTimersByTime(64 * 500);
    expect(h.layer.stats().server).toBe(0);
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
    expect(h.layer.stats().byState).toEqual({ 'server:invite:accepted': 1, 'client:non-invite:completed': 1 });
    vi.advanceTimersByTime(64 * 500);
    expect(h.layer.stats()).toEqual({ server: 0, client: 0, byState: {} });
  });
});
