import { EventEmitter } from 'node:events';
import type Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { bridge } from '../../../src/app/call/bridge.js';

/** An answered leg as bridge() uses it: events, `connected`, modify()/request()/destroy(). */
function leg(name: string) {
  const calls: string[] = [];
  const d = Object.assign(new EventEmitter(), {
    connected: true,
    modify: async (sdp: string) => (calls.push(`${name} modify ${sdp}`), `${name} answer`),
    request: async (opts: { method: string }) => (calls.push(`${name} ${opts.method}`), { status: 200, get: () => undefined, body: '' }),
    destroy: async () => void calls.push(`${name} BYE`),
  });
  return { d, calls };
}

function request(body: string) {
  const sent: number[] = [];
  return { req: { body, get: () => 'application/dtmf-relay' }, res: { send: (status: number) => sent.push(status) }, sent };
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('bridge', () => {
  it("takes a caller's re-INVITEs and INFOs over from whoever answered them before: one answer each", async () => {
    const caller = leg('caller');
    const agent = leg('agent');
    const earlier: string[] = [];
    // What CallFlow attaches to a caller Switchboard answered itself (queue, IVR).
    caller.d.on('modify', (_req: unknown, res: { send(s: number): void }) => (earlier.push('modify'), res.send(200)));
    caller.d.on('info', (_req: unknown, res: { send(s: number): void }) => (earlier.push('info'), res.send(200)));
    bridge(caller.d as unknown as Srf.Dialog, agent.d as unknown as Srf.Dialog);

    const info = request('Signal=5');
    caller.d.emit('info', info.req, info.res);
    const hold = request('v=0 hold');
    caller.d.emit('modify', hold.req, hold.res);
    await settle();
    expect(earlier).toEqual([]);
    expect(agent.calls).toEqual(['agent INFO', 'agent modify v=0 hold']);
    expect(info.sent).toEqual([200]);
    expect(hold.sent).toEqual([200]);
  });

  it('ends the other leg when one hangs up', async () => {
    const caller = leg('caller');
    const agent = leg('agent');
    const b = bridge(caller.d as unknown as Srf.Dialog, agent.d as unknown as Srf.Dialog);
    caller.d.emit('destroy');
    expect(await b.ended).toBe('caller');
    expect(agent.calls).toContain('agent BYE');
  });
});
