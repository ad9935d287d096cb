/**
 * Ends a recording after N seconds of silence: a simple energy threshold on decoded
 * samples, measured in samples of audio (not wall-clock time), so a late or bursty packet
 * stream is judged by what it carries.
 *
 * A block counts as silent when its RMS is below `threshold`; any louder block resets the
 * run. `lastSoundAt` is the sample index just after the last loud block, where a recording
 * ended by silence can be cut.
 *
 * @example
 *   const silence = new SilenceDetector({ sampleRate: 8000, silenceMs: 5000 });
 *   if (silence.feed(pcm, n)) stopRecording(); // true once 5 s of silence in a row
 */

export interface SilenceDetectorOptions {
  sampleRate: number;
  /** Silence in a row that ends the recording, ms. */
  silenceMs: number;
  /** RMS below which a block is silent. Default 300 (about -40 dBFS): line noise, not speech. */
  threshold?: number;
}

export const DEFAULT_SILENCE_THRESHOLD = 300;

export class SilenceDetector {
  private readonly limit: number;
  private readonly threshold: number;
  private total = 0;
  private run = 0;
  private lastSound = 0;
  private heard = false;

  constructor(options: SilenceDetectorOptions) {
    this.limit = Math.round((options.silenceMs * options.sampleRate) / 1000);
    this.threshold = options.threshold ?? DEFAULT_SILENCE_THRESHOLD;
  }

  /** Feeds one block; true when the silence in a row has reached the limit. */
  feed(samples: Int16Array, length = samples.length): boolean {
    if (length === 0) return this.silent;
    let sum = 0;
    for (let i = 0; i < length; i++) sum += samples[i]! * samples[i]!;
    this.total += length;
    if (Math.sqrt(sum / length) < this.threshold) {
      this.run += length;
    } else {
      this.run = 0;
      this.lastSound = this.total;
      this.heard = true;
    }
    return this.silent;
  }

  /** Silent samples fed in a row (also counts inserted gap silence). */
  get silentSamples(): number {
    return this.run;
  }

  get silent(): boolean {
    return this.run >= this.limit;
  }

  /** Whether any block was above the threshold. */
  get heardSound(): boolean {
    return this.heard;
  }

  /** Sample index just after the last loud block (0 when nothing was heard). */
  get lastSoundAt(): number {
    return this.lastSound;
  }
}
