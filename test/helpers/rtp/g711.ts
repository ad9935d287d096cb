/**
 * G.711 µ-law (PCMU) for test audio: encode a tone, decode what arrived, and tell
 * digital silence apart from sound.
 *
 * @example
 *   const frame = pcmuTone(440, 160, 0); // 20 ms of 440 Hz at 8 kHz
 *   isPcmuSilence(frame);               // false
 */

const BIAS = 0x84;
const CLIP = 32635;

/** One 16-bit linear sample to a µ-law byte (ITU-T G.711, with the usual bias and clip). */
export function linearToPcmu(sample: number): number {
  let magnitude = Math.abs(Math.trunc(sample));
  const sign = sample < 0 ? 0x80 : 0;
  magnitude = Math.min(magnitude, CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One µ-law byte to a 16-bit linear sample. */
export function pcmuToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << exponent) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

/** `samples` µ-law bytes of a sine at `hz`, starting at sample index `offset` (8 kHz). */
export function pcmuTone(hz: number, samples: number, offset: number, amplitude = 8000): Buffer {
  const out = Buffer.allocUnsafe(samples);
  for (let i = 0; i < samples; i++) {
    out[i] = linearToPcmu(amplitude * Math.sin((2 * Math.PI * hz * (offset + i)) / 8000));
  }
  return out;
}

/** µ-law 0xFF and 0x7F both decode to zero: a frame of only those is digital silence. */
export function isPcmuSilence(payload: Uint8Array): boolean {
  for (const byte of payload) if (byte !== 0xff && byte !== 0x7f) return false;
  return true;
}

/**
 * The dominant frequency of decoded audio, estimated from zero crossings; good enough
 * to tell a 440 Hz tone from a 1 kHz one.
 */
export function zeroCrossingHz(samples: ArrayLike<number>, sampleRate = 8000): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) {
    if ((samples[i - 1]! < 0 && samples[i]! >= 0) || (samples[i - 1]! >= 0 && samples[i]! < 0)) crossings++;
  }
  return (crossings / 2) * (sampleRate / samples.length);
}
