/**
 * What a caller waiting in a queue hears: the queue's music on a loop, interrupted by
 * announcements of their position and estimated wait (`announcements.first_after`, then
 * every `announcements.every`), after which the music resumes. stop() ends it all; the
 * agent's answer stops the playback itself (CallFlow's join).
 *
 * @example
 *   const hold = new HoldAudio(session.playbackTo(callerTag), queue, () => acd.position(callId), logger);
 *   hold.start();
 *   … hold.stop();
 */
import type { QueueDefinition } from '../../config/index.js';
import { positionAnnouncement, PROMPTS, waitAnnouncement, type Playback } from '../../media/index.js';
import type { PositionResult } from '../../routing/scheduler/results.js';
import type { Logger } from '../../util/logger.js';

export class HoldAudio {
  private timer: NodeJS.Timeout | undefined;
  private callbackTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Whether the callback offer has been made (the key counts from then on). */
  callbackOffered = false;

  constructor(
    private readonly playback: Playback,
    private readonly queue: Pick<QueueDefinition, 'music' | 'announcements' | 'callback'>,
    private readonly position: () => PositionResult,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.music();
    const a = this.queue.announcements;
    if (a.position || a.estimated_wait) this.timer = setTimeout(() => this.announce(), a.first_after);
    const cb = this.queue.callback;
    if (cb !== undefined) this.callbackTimer = setTimeout(() => this.offerCallback(), cb.offer_after);
  }

  /** Ends music and announcements (timers; the playback itself is stopped by whoever takes over). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.callbackTimer);
  }

  /** The fragments of one announcement now: "you are caller number 3", "your estimated wait is 2 minutes". */
  fragments(): string[] {
    const p = this.position();
    if (!p.ok || p.state !== 'waiting') return [];
    const a = this.queue.announcements;
    return [
      ...(a.position ? positionAnnouncement(p.position) : []),
      ...(a.estimated_wait && p.estimatedWaitMs !== undefined ? waitAnnouncement(p.estimatedWaitMs) : []),
    ];
  }

  private music(): void {
    if (this.stopped || this.queue.music === undefined) return;
    this.playback.loop(this.queue.music).catch((err: unknown) => this.logger.warn({ err }, 'hold music could not be played'));
  }

  private announce(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.announce(), this.queue.announcements.every);
    this.say(this.fragments());
  }

  /** "Press 1 to be called back", at offer_after and then every `repeat`. */
  private offerCallback(): void {
    const cb = this.queue.callback;
    if (this.stopped || cb === undefined) return;
    this.callbackOffered = true;
    if (cb.repeat !== undefined) this.callbackTimer = setTimeout(() => this.offerCallback(), cb.repeat);
    this.say([PROMPTS.callbackOffer]);
  }

  private say(files: readonly string[]): void {
    if (files.length === 0) return;
    this.playback.sequence(files).then(
      (outcome) => {
        if (outcome === 'done') this.music();
      },
      (err: unknown) => {
        this.logger.warn({ err }, 'queue announcement could not be played');
        this.music();
      },
    );
  }
}
