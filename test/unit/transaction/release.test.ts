import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Harness, request, responseTo, UDP_DEST, UDP_SOURCE } from './harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('released transactions (what lingers through Timer J/L/M)', () => {
  it('a released server transaction drops its context, still answers retransmissions, and parses its messages again when read', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('BYE'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    tx.context = { call: 1 };
    h.respond(tx, 200);
    expect(tx.context).toEqual({ call: 1 }); // the TU owns it: not dropped by itself
    const callId = tx.request.callId;
    tx.release();
    expect(tx.context).toBeUndefined();
    h.layer.receiveRequest(request('BYE'), UDP_SOURCE);
    expect(h.startLines()).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
    expect(tx.request.method).toBe('BYE');
    expect(tx.request.callId).toBe(callId);
    expect(tx.lastResponse?.status).toBe(200);
    expect(tx.lastResponse?.toTag).toBe('srv1');
  });

  it('a final answer on a transaction without context releases it by itself', () => {
    const h = new Harness();
    h.layer.receiveRequest(request('OPTIONS'), UDP_SOURCE);
    const tx = h.requests[0]!.tx;
    const before = tx.request;
    h.respond(tx, 404);
    // Parsed again: equal content, not the object the TU was given.
    expect(tx.request).not.toBe(before);
    expect(tx.request.toString()).toBe(before.toString());
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
