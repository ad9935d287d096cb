import { EventEmitter } from 'node:events';
import type Srf from 'drachtio-srf';
import { describe, expect, it } from 'vitest';
import { claimReinvites, deferEarlyReinvites } from '../../../src/app/call/early-reinvites.js';

/** Just enough of drachtio-srf: addDialog, and dialogs that emit 'modify' like Dialog.handle does. */
function fakeSrf() {
  const added: EventEmitter[] = [];
  const srf = { addDialog: (d: EventEmitter) => added.push(d) };
  deferEarlyReinvites(srf as unknown as Srf);
  const dialog = (): EventEmitter & { local: { sdp: string; contact: string } } => {
    const d = Object.assign(new EventEmitter(), { local: { sdp: 'v=0 local', contact: '<sip:sb@127.0.0.1>' } });
    srf.addDialog(d);
    return d;
  };
  return { added, dialog };
}

function reinvite() {
  const sent: Array<{ status: number; opts: unknown }> = [];
  return { req: { body: 'v=0 hold' }, res: { send: (status: number, opts: unknown) => sent.push({ status, opts }) }, sent };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('early re-INVITEs', () => {
  it('still registers the dialog with drachtio-srf', () => {
    const { added, dialog } = fakeSrf();
    const d = dialog();
    expect(added).toEqual([d]);
  });

  it('a re-INVITE before the bridge listens is handed to the bridge once it has claimed the dialog', async () => {
    const { dialog } = fakeSrf();
    const d = dialog();
    const r = reinvite();
    d.emit('modify', r.req, r.res); // arrives with the ACK: nobody listens yet
    const handled: unknown[] = [];
    claimReinvites(d as unknown as Srf.Dialog); // bridge(), in the same turn
    d.on('modify', (req) => handled.push(req));
    expect(handled).toEqual([]);
    await tick();
    expect(handled).toEqual([r.req]);
    expect(r.sent).toEqual([]);
    // Later re-INVITEs go straight to the bridge, once.
    const later = reinvite();
    d.emit('modify', later.req, later.res);
    await tick();
    expect(handled).toEqual([r.req, later.req]);
  });

  it('a dialog nobody claims answers as drachtio-srf would: 200 with its current SDP', async () => {
    const { dialog } = fakeSrf();
    const d = dialog();
    const r = reinvite();
    d.emit('modify', r.req, r.res);
    expect(r.sent).toEqual([]);
    await tick();
    expect(r.sent).toEqual([{ status: 200, opts: { body: 'v=0 local', headers: { Contact: '<sip:sb@127.0.0.1>', 'Content-Type': 'application/sdp' } } }]);
  });
});
