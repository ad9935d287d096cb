/**
 * Per-call media bookkeeping: every call that sent rtpengine an offer gets exactly one
 * delete, on every path (answer failure, hangup, error, shutdown).
 *
 * One rtpengine call per Switchboard call, keyed by the caller's Call-ID; the legs are
 * its dialog tags (caller's from-tag, callee's to-tag). A re-INVITE from the callee is an
 * offer with `from` = callee tag and `to` = caller tag.
 *
 * Session state machine:
 *
 * | state   | event                     | next    | action                                         |
 * |---------|---------------------------|---------|------------------------------------------------|
 * | open    | offer()                   | open    | mark offered (even if it fails: rtpengine may   |
 * |         |                           |         | have created the call before the reply was lost)|
 * | open    | answer() / play / digits  | open    | forwarded                                       |
 * | open    | close()                   | closing | cancel playback timers, unsubscribe digits,    |
 * |         |                           |         | wait for commands in flight, delete if offered |
 * | closing | delete answered / failed  | closed  | leave the registry; a failed delete is an      |
 * |         |                           |         | orphan, retried when rtpengine is up again     |
 * | closing | close()                   | closing | the same promise                               |
 * | closed  | close()                   | closed  | resolved at once                               |
 * | closing/closed | offer/answer/play  | -       | reject SB_INTERNAL (a bug in the call flow)    |
 *
 * close() never rejects: it is the cleanup path and must not turn into a new error.
 *
 * @example
 *   const sessions = new MediaSessions(media, { dtmf });
 *   const s = sessions.open(callId, callerTag);
 *   try {
 *     const toCallee = await s.offer(callerSdp);
 *     const toCaller = await s.answer(calleeSdp, { to: calleeTag });
 *   } finally {
 *     if (callEnded) await s.close();
 *   }
 *   await sessions.closeAll(); // on shutdown
 */
import { SwitchboardError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import type { AnchorOptions } from './anchor-options.js';
import type { DtmfEvents, DtmfHandler } from './dtmf-events.js';
import type { MediaClient, MediaHealth } from './media-client.js';
import { Playback } from './playback.js';
import { audioEndpoint, sinkAnswer } from './sdp.js';

export type MediaSessionState = 'open' | 'closing' | 'closed';

export interface LegSdpOptions {
  /** Offerer's tag; default the caller's (the session's fromTag). */
  from?: string;
  /** Answerer's tag: required for answer(), and for offers inside an established dialog. */
  to?: string;
  viaBranch?: string;
  options?: AnchorOptions;
}

export interface MediaSessionsOptions {
  logger?: Logger;
  /** Source of DTMF digits for onDigit(); absent: onDigit() is refused. */
  dtmf?: DtmfEvents;
  /** Maps configured media paths to absolute ones (see mediaPath). */
  resolveFile?: (file: string) => string;
  /** Orphaned deletes kept for retry; the oldest are dropped beyond this. Default 10000. */
  maxOrphans?: number;
}

export interface MediaSessionStats {
  live: number;
  opened: number;
  deleted: number;
  /** Deletes that failed; their calls wait in the orphan list. */
  deleteFailures: number;
  orphans: number;
}

export class MediaSession {
  private current: MediaSessionState = 'open';
  private offered = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly playbacks = new Map<string, Playback>();
  private readonly unsubscribes: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  /** @internal created by MediaSessions.open() */
  constructor(
    readonly callId: string,
    readonly fromTag: string,
    private readonly registry: MediaSessions,
  ) {}

  get state(): MediaSessionState {
    return this.current;
  }

  /** Sends an SDP offer through rtpengine; resolves with the SDP to forward to the other leg. */
  offer(sdp: string, leg: LegSdpOptions = {}): Promise<string> {
    this.assertOpen('offer');
    this.offered = true;
    const from = leg.from ?? this.fromTag;
    return this.track(
      this.registry.client
        .offer({ callId: this.callId, fromTag: from, sdp, viaBranch: leg.viaBranch, options: leg.options, ...toTagOf(leg) })
        .then((r) => r.sdp),
    );
  }

  /** Sends the answer to the last offer; resolves with the SDP to forward back to the offerer. */
  answer(sdp: string, leg: LegSdpOptions & { to: string }): Promise<string> {
    this.assertOpen('answer');
    const from = leg.from ?? this.fromTag;
    return this.track(
      this.registry.client
        .answer({ callId: this.callId, fromTag: from, toTag: leg.to, sdp, viaBranch: leg.viaBranch, options: leg.options })
        .then((r) => r.sdp),
    );
  }

  /**
   * Anchors a caller whom Switchboard answers itself (queue, IVR, voicemail): offers the
   * caller's SDP, answers it from a sink tagged `localTag`, and resolves with the SDP for
   * the caller's 200 OK. Audio then reaches the caller only from playbackTo(fromTag);
   * bridging later is offer(callerSdp) towards the agent and answer(agentSdp, { to: localTag }).
   */
  async answerLocally(callerSdp: string, leg: { localTag: string; options?: AnchorOptions }): Promise<string> {
    const towardsSink = await this.offer(callerSdp, { options: leg.options });
    const address = audioEndpoint(towardsSink)?.address;
    if (address === undefined) throw new SwitchboardError('SB_MEDIA_REFUSED', `rtpengine's offer for ${this.callId} has no audio address`);
    this.assertOpen('answer');
    return this.track(
      this.registry.client
        .answer({
          callId: this.callId,
          fromTag: this.fromTag,
          toTag: leg.localTag,
          sdp: sinkAnswer(towardsSink),
          options: leg.options,
          sinkMediaAddress: address,
        })
        .then((r) => r.sdp),
    );
  }

  /** The Playback that plays audio to the party with dialog tag `tag` (one per party). */
  playbackTo(tag: string): Playback {
    this.assertOpen('playback');
    let playback = this.playbacks.get(tag);
    if (playback === undefined) {
      playback = new Playback(this.registry.client, { callId: this.callId, tag }, this.registry.resolveFile);
      this.playbacks.set(tag, playback);
    }
    return playback;
  }

  /**
   * Digits pressed by any party of this call, until close(). None arrive when rtpengine
   * reports no DTMF events (an external rtpengine without --dtmf-log-dest to us): SIP
   * INFO is then the only way digits come in.
   */
  onDigit(handler: DtmfHandler): void {
    this.assertOpen('onDigit');
    const dtmf = this.registry.dtmf;
    if (dtmf !== undefined) this.unsubscribes.push(dtmf.subscribe(this.callId, handler));
  }

  /** Ends the session: one delete if an offer was ever sent. Idempotent; never rejects. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.current = 'closing';
    for (const playback of this.playbacks.values()) playback.cancel();
    for (const off of this.unsubscribes.splice(0)) off();
    // An offer still in flight may create the call after a delete sent now.
    await Promise.allSettled([...this.inFlight]);
    if (this.offered) await this.registry.deleteCall(this.callId);
    this.current = 'closed';
    this.registry.forget(this);
  }

  private track<T>(op: Promise<T>): Promise<T> {
    this.inFlight.add(op);
    const done = (): void => {
      this.inFlight.delete(op);
    };
    op.then(done, done);
    return op;
  }

  private assertOpen(what: string): void {
    if (this.current !== 'open') {
      throw new SwitchboardError('SB_INTERNAL', `media ${what} for ${this.callId} after close()`);
    }
  }
}

function toTagOf(leg: LegSdpOptions): { toTag?: string } {
  return leg.to === undefined ? {} : { toTag: leg.to };
}

export class MediaSessions {
  readonly dtmf: DtmfEvents | undefined;
  readonly resolveFile: (file: string) => string;
  private readonly sessions = new Map<string, MediaSession>();
  /** Call-IDs whose delete failed, oldest first (Map keeps insertion order). */
  private readonly orphans = new Map<string, true>();
  private readonly logger: Logger;
  private readonly maxOrphans: number;
  private readonly counters = { opened: 0, deleted: 0, deleteFailures: 0 };
  private readonly offHealth: () => void;
  private retrying = false;

  constructor(
    readonly client: MediaClient,
    options: MediaSessionsOptions = {},
  ) {
    this.dtmf = options.dtmf;
    this.resolveFile = options.resolveFile ?? ((file) => file);
    this.logger = (options.logger ?? silentLogger).child({ module: 'media-sessions' });
    this.maxOrphans = options.maxOrphans ?? 10_000;
    this.offHealth = client.onHealth((health: MediaHealth) => {
      if (health === 'up') void this.retryOrphans();
    });
  }

  /** Starts the media bookkeeping of a call. One session per Call-ID at a time. */
  open(callId: string, fromTag: string): MediaSession {
    if (this.sessions.has(callId)) {
      throw new SwitchboardError('SB_INTERNAL', `media session ${callId} is already open`);
    }
    const session = new MediaSession(callId, fromTag, this);
    this.sessions.set(callId, session);
    this.orphans.delete(callId);
    this.counters.opened++;
    return session;
  }

  get(callId: string): MediaSession | undefined {
    return this.sessions.get(callId);
  }

  /** Sessions opened and not yet fully closed. */
  get size(): number {
    return this.sessions.size;
  }

  get stats(): MediaSessionStats {
    return { live: this.sessions.size, ...this.counters, orphans: this.orphans.size };
  }

  /**
   * Closes every session (shutdown); resolves when every delete was answered or failed.
   * At most `concurrency` deletes are out at once: a burst of thousands would make
   * rtpengine miss the 2 s bound for most of them and turn them into orphans.
   */
  async closeAll(concurrency = 32): Promise<void> {
    const pending = [...this.sessions.values()];
    const worker = async (): Promise<void> => {
      for (let s = pending.pop(); s !== undefined; s = pending.pop()) await s.close();
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pending.length)) }, worker));
  }

  /** Stops listening to the client's health; call after closeAll() on shutdown. */
  dispose(): void {
    this.offHealth();
  }

  /** @internal */
  forget(session: MediaSession): void {
    if (this.sessions.get(session.callId) === session) this.sessions.delete(session.callId);
  }

  /** @internal one delete for the whole call; a failure is remembered, not thrown. */
  async deleteCall(callId: string): Promise<void> {
    try {
      await this.client.delete({ callId });
      this.counters.deleted++;
    } catch (err) {
      this.counters.deleteFailures++;
      this.addOrphan(callId);
      this.logger.warn({ err, callId }, 'rtpengine delete failed; retried when rtpengine answers again');
    }
  }

  private addOrphan(callId: string): void {
    this.orphans.set(callId, true);
    if (this.orphans.size > this.maxOrphans) {
      // rtpengine's own media timeout ends what we can no longer track.
      const oldest = this.orphans.keys().next().value;
      if (oldest !== undefined) this.orphans.delete(oldest);
    }
  }

  private async retryOrphans(): Promise<void> {
    if (this.retrying) return;
    this.retrying = true;
    try {
      while (this.orphans.size > 0 && this.client.health === 'up') {
        const callId = this.orphans.keys().next().value!;
        this.orphans.delete(callId);
        try {
          await this.client.delete({ callId });
          this.counters.deleted++;
        } catch {
          // Down again: keep it for the next 'up'.
          this.orphans.set(callId, true);
          break;
        }
      }
    } finally {
      this.retrying = false;
    }
  }
}
