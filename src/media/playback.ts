/**
 * Audio to one party of a call: a looped file (hold music) or a sequence of fragments
 * (an announcement such as "you are caller number" + "3").
 *
 * rtpengine plays one file per `play media` and does not report over ng when it ends,
 * but it answers with the file's duration; the next fragment is sent when that time
 * (plus one 20 ms frame of slack) has passed. A new play or stop() supersedes whatever
 * runs: each run holds a generation number and gives up once it is no longer current.
 * Commands to rtpengine go one at a time, each after the previous one's reply: its ng
 * socket is served by several threads, so a `stop media` and the `play media` sent
 * right after it (an IVR barge-in) could otherwise be carried out the other way round,
 * and the new prompt would be the one stopped.
 *
 * | state   | event                       | next    | action                                  |
 * |---------|-----------------------------|---------|-----------------------------------------|
 * | idle    | loop(file)                  | playing | play media, repeat-times LOOP_TIMES      |
 * | idle    | sequence(files)             | playing | play media files[0], wait its duration   |
 * | playing | fragment's duration elapsed | playing | play media next fragment                 |
 * | playing | last fragment elapsed       | idle    | sequence() resolves 'done'               |
 * | playing | stop() / new loop/sequence  | idle    | stop media; old sequence() 'stopped'     |
 *
 * @example
 *   const music = new Playback(media, { callId, tag: callerTag }, (f) => join(mediaDir, f));
 *   await music.loop('music/hold.wav');
 *   // ... agent answers:
 *   await music.stop();
 */
import { SwitchboardError } from '../util/errors.js';
import type { MediaClient, PartyRef } from './media-client.js';

export type PlaybackOutcome = 'done' | 'stopped';

/** Hold music repeats: enough for any wait (a 10 s loop runs for over a day). */
export const LOOP_TIMES = 10_000;
const FRAME_SLACK_MS = 20;

export class Playback {
  private generation = 0;
  private playing = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Settles after the last command sent to rtpengine has been answered (or failed). */
  private lastCommand: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: MediaClient,
    private readonly party: PartyRef,
    /** Maps a configured path (relative to media.files) to the absolute path rtpengine opens. */
    private readonly resolveFile: (file: string) => string = (file) => file,
  ) {}

  /** Whether audio from this Playback is being played to the party. */
  get active(): boolean {
    return this.playing;
  }

  /** Plays `file` over and over until stop() or another play. */
  async loop(file: string): Promise<void> {
    const generation = this.supersede();
    // In flight counts as playing, so a stop() racing this start still sends `stop media`.
    this.playing = true;
    try {
      await this.inTurn(() => this.client.playMedia({ ...this.party, file: this.resolveFile(file), repeatTimes: LOOP_TIMES }));
    } catch (err) {
      if (generation === this.generation) this.playing = false;
      throw err;
    }
  }

  /** Plays the fragments back to back; resolves 'done' after the last, 'stopped' if superseded. */
  async sequence(files: readonly string[]): Promise<PlaybackOutcome> {
    const generation = this.supersede();
    for (const file of files) {
      if (generation !== this.generation) return 'stopped';
      this.playing = true;
      let durationMs: number | undefined;
      try {
        ({ durationMs } = await this.inTurn(() => this.client.playMedia({ ...this.party, file: this.resolveFile(file) })));
      } catch (err) {
        if (generation === this.generation) this.playing = false;
        throw err;
      }
      if (generation !== this.generation) return 'stopped';
      if (durationMs === undefined) {
        this.playing = false;
        throw new SwitchboardError('SB_MEDIA_REFUSED', `rtpengine reported no duration for ${file}; cannot chain fragments`);
      }
      if (!(await this.sleep(durationMs + FRAME_SLACK_MS))) return 'stopped';
    }
    this.playing = false;
    return 'done';
  }

  /** Stops what plays now (if anything) so the party hears the call again. */
  async stop(): Promise<void> {
    const wasPlaying = this.playing;
    this.supersede();
    if (wasPlaying) await this.inTurn(() => this.client.stopMedia(this.party));
  }

  /** Forgets pending timers without telling rtpengine (the call is being deleted anyway). */
  cancel(): void {
    this.supersede();
  }

  /** Sends a command once every earlier one has been answered, so rtpengine sees them in order. */
  private inTurn<T>(send: () => Promise<T>): Promise<T> {
    const result = this.lastCommand.then(send);
    this.lastCommand = result.catch(() => undefined);
    return result;
  }

  private supersede(): number {
    this.playing = false;
    clearTimeout(this.timer);
    this.wake?.();
    this.wake = undefined;
    return ++this.generation;
  }

  /** Resolves true after `ms`, or false as soon as the run is superseded. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.wake = () => resolve(false);
      this.timer = setTimeout(() => {
        this.wake = undefined;
        resolve(true);
      }, ms);
    });
  }
}
