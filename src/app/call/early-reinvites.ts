/**
 * A re-INVITE that arrives right after the ACK (in the same read from the drachtio
 * connection) reaches a new dialog before the application had a chance to attach its
 * 'modify' listener: drachtio-srf then answers it itself with the dialog's current SDP,
 * and a hold never reaches the other leg. So every new dialog gets a stand-in listener
 * that defers such a re-INVITE by one turn of the event loop (as drachtio-srf itself does
 * for INFO): by then bridge() has claimed the dialog and its own listener handles it;
 * an unclaimed dialog gets drachtio-srf's usual answer.
 *
 * @example
 *   deferEarlyReinvites(srf);        // once, when the application starts
 *   claimReinvites(uas);             // in bridge(), before attaching 'modify'
 */
import type Srf from 'drachtio-srf';

type ModifyListener = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void;

const standIns = new WeakMap<Srf.Dialog, ModifyListener>();

interface DialogSdp {
  local: { sdp: string; contact: string };
}

/** Gives every dialog drachtio-srf creates from now on the stand-in 'modify' listener. */
export function deferEarlyReinvites(srf: Srf): void {
  // addDialog is where drachtio-srf registers each new dialog (UAS, UAC, B2BUA legs).
  const internals = srf as unknown as { addDialog(d: Srf.Dialog): void };
  const add = internals.addDialog.bind(srf);
  internals.addDialog = (dialog: Srf.Dialog): void => {
    add(dialog);
    const standIn: ModifyListener = (req, res) => setImmediate(() => deliver(dialog, req, res));
    standIns.set(dialog, standIn);
    dialog.on('modify', standIn);
  };
}

/**
 * The caller of this takes over the dialog's re-INVITEs (attach 'modify' right after):
 * from the stand-in, and from whoever held them before (CallFlow hands an answered caller
 * to the bridge), so each re-INVITE gets one answer.
 */
export function claimReinvites(dialog: Srf.Dialog): void {
  dialog.removeAllListeners('modify');
  standIns.delete(dialog);
}

function deliver(dialog: Srf.Dialog, req: Srf.SrfRequest, res: Srf.SrfResponse): void {
  const standIn = standIns.get(dialog);
  const handler = dialog.listeners('modify').find((l) => l !== standIn) as ModifyListener | undefined;
  if (handler !== undefined) return handler(req, res);
  answerWithCurrentSdp(dialog, res);
}

/** What drachtio-srf answers a re-INVITE with when nobody took the dialog over: 200 with the dialog's current SDP. */
export function answerWithCurrentSdp(dialog: Srf.Dialog, res: Srf.SrfResponse): void {
  const local = (dialog as unknown as DialogSdp).local;
  res.send(200, { body: local.sdp, headers: { Contact: local.contact, 'Content-Type': 'application/sdp' } });
}
