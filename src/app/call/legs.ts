/**
 * Dialling B legs for one call, on drachtio-srf.
 *
 * - `dialOne`: one leg at a time with `createB2BUA` (failures are not passed to the caller,
 *   so the next step can run). Provisional responses, early media and 100rel pass between
 *   the legs as in a plain B2BUA call.
 * - `dialMany`: several legs at once with `createUAC` (simultaneous ring). The caller hears
 *   180 on the first ringing leg; the first 2xx wins and the caller is answered with its
 *   SDP; the other legs are cancelled, and a leg that answers anyway (its 2xx crossed our
 *   CANCEL) is ACKed and sent BYE by drachtio-srf / `destroy()`.
 *
 * Both honour the caller's CANCEL, a per-leg ring timeout and, for gateways, a "no
 * response" timeout after which the next gateway is tried.
 *
 * @example
 *   const r = await dialOne(srf, req, res, { uri: 'sip:1001@127.0.0.1:5090' }, { timeoutMs: 20_000, caller, headers });
 *   if (r.kind === 'answered') bridge(r.uas, r.uac);
 */
import type Srf from 'drachtio-srf';
import { hangUp } from './bridge.js';
import type { Cancellation } from './cancellation.js';
import type { DialLeg } from './dial-plan.js';
import { outcomeOfStatus, strongerOutcome, type FailedStep, type LegOutcome } from './outcomes.js';

/** One leg's story, for the CDR. */
export interface LegRecord {
  readonly target: string;
  readonly uri: string;
  readonly startedAt: number;
  endedAt: number;
  outcome: LegOutcome | 'answered';
  status?: number;
}

export type DialResult =
  | { readonly kind: 'answered'; readonly uas: Srf.Dialog; readonly uac: Srf.Dialog; readonly winner: LegRecord }
  | { readonly kind: 'failed'; readonly step: FailedStep; readonly retryAfter?: string; readonly noResponse: boolean };

export interface DialOptions {
  /** Ring timeout; 0: none. */
  readonly timeoutMs: number;
  /** Cancel a leg that sent nothing but 100 for this long (gateway failover); 0: none. */
  readonly noResponseMs?: number;
  readonly caller: Cancellation;
  /** Headers for the B leg INVITE (Max-Forwards, Diversion, copied headers). */
  readonly headers: Record<string, string>;
  /** Header names copied from the A leg (createB2BUA's proxyRequestHeaders). */
  readonly copyHeaders: readonly string[];
  readonly target: string;
  readonly now: () => number;
  readonly legs: LegRecord[];
  /** Media anchoring: the SDP offered to B legs (rtpengine's), and how B's answer becomes the caller's. */
  readonly sdp?: SdpHooks;
}

export interface SdpHooks {
  /** The offer sent to every B leg. */
  readonly offer: string;
  /** Turns the winning B leg's answer (with its To tag) into the SDP for the caller. */
  answer(remoteSdp: string, toTag: string): Promise<string>;
  /**
   * The caller was already answered (IVR, queue): the winner is joined to it instead of
   * answering the caller; resolves with the caller's dialog.
   */
  readonly answered?: Srf.Dialog;
}

interface SipErrorLike {
  status?: number;
  reason?: string;
  res?: { get(name: string): string | undefined };
}

/** Cancels a client INVITE; drachtio-srf's typings insist on a callback. */
function cancelRequest(req: Srf.SrfRequest | undefined): void {
  req?.cancel(() => {});
}

/** Timers of one leg: ring timeout and "no response" timeout. */
function legTimers(opts: DialOptions, cancel: () => void): { timedOut: () => boolean; noResponse: () => boolean; heard: () => void; clear: () => void } {
  let timedOut = false;
  let silent = false;
  const ring = opts.timeoutMs > 0 ? setTimeout(() => ((timedOut = true), cancel()), opts.timeoutMs) : undefined;
  let quiet = opts.noResponseMs ? setTimeout(() => ((silent = true), cancel()), opts.noResponseMs) : undefined;
  return {
    timedOut: () => timedOut,
    noResponse: () => silent,
    heard: () => {
      if (quiet !== undefined) clearTimeout(quiet);
      quiet = undefined;
    },
    clear: () => {
      if (ring !== undefined) clearTimeout(ring);
      if (quiet !== undefined) clearTimeout(quiet);
    },
  };
}

function failureOf(err: SipErrorLike, timedOut: boolean, silent: boolean, caller: Cancellation): { outcome: LegOutcome; status?: number; reason?: string } {
  if (caller.cancelled) return { outcome: 'cancelled', status: err.status };
  if (silent) return { outcome: 'failure' };
  if (timedOut) return { outcome: 'no_answer' };
  const status = err.status ?? 500;
  return { outcome: outcomeOfStatus(status), status, reason: err.reason };
}

/**
 * createB2BUA adds 'cancel' and 'update' listeners to the caller's request for each
 * attempt; a failed attempt's listeners would answer or cancel on behalf of a leg that is
 * gone, so they are removed when it ends.
 */
function withoutStaleListeners<T>(req: Srf.SrfRequest, attempt: () => Promise<T>): Promise<T> {
  const emitter = req as unknown as NodeJS.EventEmitter;
  const before = { cancel: new Set(emitter.listeners('cancel')), update: new Set(emitter.listeners('update')) };
  const prune = (): void => {
    for (const event of ['cancel', 'update'] as const) {
      for (const l of emitter.listeners(event)) if (!before[event].has(l)) emitter.removeListener(event, l as (...args: unknown[]) => void);
    }
  };
  return attempt().then(
    (v) => v,
    (err: unknown) => {
      prune();
      throw err;
    },
  );
}

export async function dialOne(srf: Srf, req: Srf.SrfRequest, res: Srf.SrfResponse, leg: DialLeg, opts: DialOptions): Promise<DialResult> {
  const record: LegRecord = { target: opts.target, uri: leg.uri, startedAt: opts.now(), endedAt: 0, outcome: 'cancelled' };
  opts.legs.push(record);
  let uacReq: Srf.SrfRequest | undefined;
  const timers = legTimers(opts, () => cancelRequest(uacReq));
  try {
    const { uas, uac } = await withoutStaleListeners(req, () =>
      srf.createB2BUA(
        req,
        res,
        leg.uri,
        {
          passFailure: false,
          headers: { ...opts.headers },
          ...(opts.sdp === undefined
            ? {}
            : {
                localSdpB: opts.sdp.offer,
                localSdpA: (sdp: string, r: Srf.SrfResponse) => opts.sdp!.answer(sdp, toTagOf(r)),
              }),
          ...(leg.via === undefined ? {} : { proxy: leg.via }),
          // 100rel end to end: the B leg learns the caller supports it, and a reliable
          // provisional from B is relayed reliably (lower-case `require` is the key
          // drachtio-srf checks before it waits for the caller's PRACK).
          proxyRequestHeaders: [...opts.copyHeaders, 'Supported'],
          responseHeaders: (uacRes: Srf.SipMessageHeaders, headers: Srf.SipMessageHeaders) => {
            const require = (uacRes as unknown as Srf.SipMessage).get('Require');
            return require === undefined ? headers : { ...headers, require };
          },
        } as Srf.CreateB2BUAOptions,
        {
          cbRequest: ((err: unknown, r: Srf.SrfRequest) => {
            if (err) return;
            uacReq = r;
            if (timers.timedOut() || timers.noResponse()) cancelRequest(r);
          }) as unknown as (req: Srf.SrfRequest) => void,
          cbProvisional: () => timers.heard(),
        },
      ),
    );
    record.outcome = 'answered';
    record.status = 200;
    record.endedAt = opts.now();
    return { kind: 'answered', uas, uac, winner: record };
  } catch (e) {
    const err = e as SipErrorLike;
    const f = failureOf(err, timers.timedOut(), timers.noResponse(), opts.caller);
    record.outcome = f.outcome;
    if (f.status !== undefined) record.status = f.status;
    record.endedAt = opts.now();
    return {
      kind: 'failed',
      step: { outcome: f.outcome, ...(f.status === undefined ? {} : { status: f.status }), ...(f.reason === undefined ? {} : { reason: f.reason }) },
      retryAfter: err.res?.get('Retry-After'),
      noResponse: timers.noResponse(),
    };
  } finally {
    timers.clear();
  }
}

/** Rings several legs at once; the first 2xx wins. */
export function dialMany(
  srf: Srf,
  req: Srf.SrfRequest,
  res: Srf.SrfResponse,
  legs: ReadonlyArray<DialLeg & { readonly target: string; readonly timeoutMs: number }>,
  opts: Omit<DialOptions, 'timeoutMs' | 'target'>,
): Promise<DialResult> {
  return new Promise((resolve) => {
    let pending = legs.length;
    let won = false;
    let ringing = false;
    let worst: LegOutcome | undefined;
    let last: { status?: number; reason?: string } = {};
    const cancels: Array<() => void> = [];
    const offCaller = opts.caller.onCancel(() => cancels.forEach((c) => c()));
    const settle = (): void => {
      if (--pending > 0 || won) return;
      offCaller();
      const outcome = opts.caller.cancelled ? 'cancelled' : (worst ?? 'unavailable');
      resolve({ kind: 'failed', step: { outcome, ...last }, noResponse: false });
    };
    for (const leg of legs) {
      const record: LegRecord = { target: leg.target, uri: leg.uri, startedAt: opts.now(), endedAt: 0, outcome: 'cancelled' };
      opts.legs.push(record);
      let uacReq: Srf.SrfRequest | undefined;
      let lost = false;
      const timers = legTimers({ ...opts, timeoutMs: leg.timeoutMs, target: leg.target }, () => cancelRequest(uacReq));
      cancels.push(() => {
        lost = true;
        cancelRequest(uacReq);
      });
      const cbRequest = ((err: unknown, r: Srf.SrfRequest) => {
        if (err) return;
        uacReq = r;
        if (lost || timers.timedOut()) cancelRequest(r);
      }) as unknown as (req: Srf.SrfRequest) => void;
      const cbProvisional = (p: Srf.SrfResponse): void => {
        timers.heard();
        if (!ringing && !won && !opts.caller.cancelled && p.status >= 180 && opts.sdp?.answered === undefined) {
          ringing = true;
          res.send(180);
        }
      };
      srf
        .createUAC(
          leg.uri,
          { localSdp: opts.sdp?.offer ?? req.body, headers: { ...copied(req, opts.copyHeaders), ...opts.headers, ...(req.callingNumber ? { from: `sip:${req.callingNumber}@localhost` } : {}) }, ...(leg.via === undefined ? {} : { proxy: leg.via }) },
          { cbRequest, cbProvisional },
        )
        .then(
          async (uac) => {
            timers.clear();
            record.endedAt = opts.now();
            if (won || lost || opts.caller.cancelled) {
              // Its 2xx crossed our CANCEL (or another leg won): drachtio-srf ACKed it; end it.
              record.outcome = 'cancelled';
              record.status = 200;
              hangUp(uac);
              return settle();
            }
            won = true;
            offCaller();
            record.outcome = 'answered';
            record.status = 200;
            for (const c of cancels) c();
            try {
              const remote = (uac as unknown as { remote: { sdp: string } }).remote.sdp;
              const sdp = opts.sdp;
              let uas: Srf.Dialog;
              if (sdp === undefined) uas = await srf.createUAS(req, res, { localSdp: remote });
              else {
                const forCaller = await sdp.answer(remote, (uac as unknown as { sip: { remoteTag: string } }).sip.remoteTag);
                uas = sdp.answered ?? (await srf.createUAS(req, res, { localSdp: forCaller }));
              }
              resolve({ kind: 'answered', uas, uac, winner: record });
            } catch {
              // The caller went away between the B answer and ours.
              hangUp(uac);
              resolve({ kind: 'failed', step: { outcome: 'cancelled' }, noResponse: false });
            }
          },
          (e: SipErrorLike) => {
            timers.clear();
            const f = failureOf(e, timers.timedOut(), false, opts.caller);
            record.outcome = lost && !opts.caller.cancelled ? 'cancelled' : f.outcome;
            if (f.status !== undefined) record.status = f.status;
            record.endedAt = opts.now();
            if (record.outcome !== 'cancelled') {
              worst = strongerOutcome(worst, f.outcome);
              if (worst === f.outcome) last = f.status === undefined ? {} : { status: f.status, ...(f.reason === undefined ? {} : { reason: f.reason }) };
            }
            settle();
          },
        );
    }
  });
}

/** The To tag of a response (the B leg's dialog tag), for rtpengine's answer. */
function toTagOf(res: Srf.SrfResponse): string {
  const to = res.get('To') ?? '';
  return /;\s*tag=([^;>\s]+)/i.exec(to)?.[1] ?? '';
}

function copied(req: Srf.SrfRequest, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of [...names, 'Supported']) {
    const v = req.get(n);
    if (v !== undefined) out[n] = v;
  }
  return out;
}
