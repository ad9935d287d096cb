/**
 * Reads the format and samples of a PCM WAV file (RIFF), enough to check generated
 * prompts and recordings.
 *
 * @example
 *   const wav = readWav(readFileSync('config/media/prompts/beep.wav'));
 *   wav.sampleRate; // 8000
 */
export interface Wav {
  /** 1 = integer PCM. */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** 16-bit samples (first channel only when there are several). */
  samples: Int16Array;
}

export function readWav(buf: Buffer): Wav {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let offset = 12;
  let fmt: Omit<Wav, 'samples'> | undefined;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (fmt === undefined) throw new Error('data chunk before fmt chunk');
      if (fmt.bitsPerSample !== 16) return { ...fmt, samples: new Int16Array(0) };
      const frames = Math.floor(Math.min(size, buf.length - body) / (2 * fmt.channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(body + i * 2 * fmt.channels);
      return { ...fmt, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Root mean square of the samples, 0..32767. */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}
