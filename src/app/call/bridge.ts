/**
 * Joins two answered dialogs: a BYE on one ends the other; re-INVITEs (hold, session
 * refresh), UPDATEs and INFOs (DTMF) pass through. With media anchored, a re-INVITE's
 * offer and the answer to it go through rtpengine (`media`), so RTP stays anchored when
 * a party holds, resumes or changes codec. Resolves with who hung up.
 *
 * @example
 *   const hungUpBy = await bridge(uas, uac);   // 'caller' | 'callee'
 */
import type Srf from 'drachtio-srf';
import { claimReinvites } from './early-reinvites.js';

export type HangupParty = 'caller' | 'callee' | 'system';

/** SDP of in-dialog offers through rtpengine; `fromCaller`: the offer came from the A leg. */
export interface BridgeMedia {
  offer(fromCaller: boolean, sdp: string): Promise<string>;
  answer(fromCaller: boolean, sdp: string): Promise<string>;
}

export interface Bridged {
  /** Resolves when both legs are down. */
  readonly ended: Promise<HangupParty>;
  /** Ends both legs (shutdown, admin action). */
  hangup(): void;
}

export function bridge(uas: Srf.Dialog, uac: Srf.Dialog, media?: BridgeMedia): Bridged {
  let ended = false;
  let resolveEnded!: (by: HangupParty) => void;
  const done = new Promise<HangupParty>((r) => (resolveEnded = r));
  const end = (by: HangupParty, other: Srf.Dialog | undefined) => (): void => {
    if (ended) return;
    ended = true;
    if (other !== undefined) hangUp(other);
    resolveEnded(by);
  };
  uas.on('destroy', end('caller', uac));
  uac.on('destroy', end('callee', uas));
  // A BYE that arrived in the same read as the ACK ended a leg before these listeners
  // existed (createB2BUA resolves on the ACK): end the other one now.
  const connected = (d: Srf.Dialog): boolean => (d as unknown as { connected: boolean }).connected;
  if (!connected(uas)) end('caller', uac)();
  else if (!connected(uac)) end('callee', uas)();
  for (const [from, to] of [[uas, uac], [uac, uas]] as const) {
    claimReinvites(from);
    // INFO too: CallFlow listened for a caller Switchboard answered; one answer per request.
    from.removeAllListeners('info');
    const fromCaller = from === uas;
    from.on('modify', (req, res) => {
      const relay = async (): Promise<string> => {
        if (media === undefined || !req.body) return to.modify(req.body);
        const answer = await to.modify(await media.offer(fromCaller, req.body));
        return media.answer(fromCaller, answer);
      };
      relay().then(
        (sdp) => res.send(200, { body: sdp, headers: { 'Content-Type': 'application/sdp' } }),
        (err: { status?: number }) => res.send(typeof err.status === 'number' ? err.status : 500),
      );
    });
    from.on('info', (req, res) => {
      const headers: Record<string, string> = req.body ? { 'Content-Type': req.get('Content-Type') ?? 'application/octet-stream' } : {};
      (to.request({ method: 'INFO', headers, body: req.body } as unknown as Srf.SrfRequest) as Promise<Srf.SrfResponse>).then(
        (r) => res.send(r.status),
        () => res.send(500),
      );
    });
    from.on('update', (req, res) => {
      const headers: Record<string, string> = req.body ? { 'Content-Type': req.get('Content-Type') ?? 'application/sdp' } : {};
      (to.request({ method: 'UPDATE', headers, body: req.body } as unknown as Srf.SrfRequest) as Promise<Srf.SrfResponse>).then(
        (r) => res.send(r.status, r.body ? { body: r.body, headers: { 'Content-Type': r.get('Content-Type') ?? 'application/sdp' } } : {}),
        () => res.send(500),
      );
    });
  }
  return {
    ended: done,
    hangup: () => {
      if (ended) return;
      ended = true;
      hangUp(uas);
      hangUp(uac);
      resolveEnded('system');
    },
  };
}

/** BYE for a dialog; one the far end already ended is no error (drachtio answers ENODIALOG). */
export function hangUp(d: Srf.Dialog): void {
  (d.destroy() as unknown as Promise<unknown> | undefined)?.catch?.(() => {});
}
