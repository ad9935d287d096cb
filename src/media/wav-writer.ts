/**
 * Streams 16-bit mono PCM into a RIFF/WAVE file: a 44-byte header with placeholder sizes
 * first, samples appended as they come, and the RIFF and data sizes patched on close().
 * Writes are serialised on one file handle. A failed write is kept, not thrown into the
 * void: later writes are skipped, `error` reports it, and truncateTo()/close() reject with it.
 *
 * @example
 *   const wav = await WavWriter.create('/var/spool/switchboard/vm/sales/msg.wav', 8000);
 *   wav.append(samples);          // Int16Array, queued
 *   await wav.truncateTo(8000);   // keep the first second (e.g. drop trailing silence)
 *   await wav.close();            // header patched; resolves with the sample count
 */
import { open, type FileHandle } from 'node:fs/promises';
import { SwitchboardError } from '../util/errors.js';

export const WAV_HEADER_BYTES = 44;
const BYTES_PER_SAMPLE = 2;
/** RIFF sizes are 32-bit: stop well before 4 GiB. */
const MAX_DATA_BYTES = 0xffff_0000;

/** The canonical 44-byte header of a 16-bit mono PCM WAV file holding `dataBytes` of samples. */
export function wavHeader(sampleRate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // integer PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * BYTES_PER_SAMPLE, 28); // byte rate
  h.writeUInt16LE(BYTES_PER_SAMPLE, 32); // block align
  h.writeUInt16LE(8 * BYTES_PER_SAMPLE, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export class WavWriter {
  private samples = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private failure: unknown;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    readonly sampleRate: number,
  ) {}

  /** Creates (or replaces) `path` with an empty WAV file. */
  static async create(path: string, sampleRate = 8000): Promise<WavWriter> {
    const file = await open(path, 'w');
    try {
      await file.write(wavHeader(sampleRate, 0), 0, WAV_HEADER_BYTES, 0);
    } catch (err) {
      await file.close();
      throw err;
    }
    return new WavWriter(file, path, sampleRate);
  }

  /** Samples accepted so far (queued or written). */
  get sampleCount(): number {
    return this.samples;
  }

  /** The first write error, if any; samples after it were not written. */
  get error(): unknown {
    return this.failure;
  }

  get durationMs(): number {
    return Math.round((this.samples * 1000) / this.sampleRate);
  }

  /** Queues `samples` (copied) for writing at the end of the data chunk. */
  append(samples: Int16Array, length = samples.length): void {
    if (this.closed) throw new SwitchboardError('SB_INTERNAL', `WAV ${this.path} appended to after close()`);
    if (length === 0) return;
    if ((this.samples + length) * BYTES_PER_SAMPLE > MAX_DATA_BYTES) {
      throw new SwitchboardError('SB_INTERNAL', `WAV ${this.path} would exceed the 4 GiB RIFF limit`);
    }
    const bytes = Buffer.allocUnsafe(length * BYTES_PER_SAMPLE);
    for (let i = 0; i < length; i++) bytes.writeInt16LE(samples[i]!, i * BYTES_PER_SAMPLE);
    const position = WAV_HEADER_BYTES + this.samples * BYTES_PER_SAMPLE;
    this.samples += length;
    // The error stays in `failure`; nobody awaits an append.
    this.enqueue(async () => {
      await this.file.write(bytes, 0, bytes.length, position);
    }).catch(() => undefined);
  }

  /** Keeps only the first `samples` samples (no-op when there are fewer). */
  truncateTo(samples: number): Promise<void> {
    const keep = Math.max(0, Math.min(Math.floor(samples), this.samples));
    this.samples = keep;
    return this.enqueue(() => this.file.truncate(WAV_HEADER_BYTES + keep * BYTES_PER_SAMPLE));
  }

  /** Waits for queued writes, patches the header, closes the file; resolves with the sample count. */
  async close(): Promise<number> {
    if (this.closed) {
      await this.chain;
      if (this.failure !== undefined) throw this.failure;
      return this.samples;
    }
    this.closed = true;
    try {
      await this.enqueue(async () => {
        await this.file.write(wavHeader(this.sampleRate, this.samples * BYTES_PER_SAMPLE), 0, WAV_HEADER_BYTES, 0);
      });
    } finally {
      await this.file.close();
    }
    return this.samples;
  }

  /** Runs `step` after the queued ones; the chain itself never rejects, the returned promise does. */
  private async enqueue(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await step();
      } catch (err) {
        this.failure = err;
      }
    });
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }
}
