/**
 * G.711 decoding (ITU-T G.711: µ-law for PCMU, A-law for PCMA) to 16-bit linear PCM,
 * by 256-entry tables built once, and the frame energy used for silence detection.
 *
 * @example
 *   const pcm = new Int16Array(payload.length);
 *   decodeG711('PCMU', payload, pcm);   // pcm now holds the samples
 *   frameRms(pcm);                       // 0..32767
 */

export type G711Codec = 'PCMU' | 'PCMA';

/** Static RTP payload types (RFC 3551). */
export const G711_PAYLOAD_TYPES: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };

function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function alawToLinear(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const TABLES: Readonly<Record<G711Codec, Int16Array>> = {
  PCMU: Int16Array.from({ length: 256 }, (_, b) => ulawToLinear(b)),
  PCMA: Int16Array.from({ length: 256 }, (_, b) => alawToLinear(b)),
};

/** Decodes `payload` into `out` (at least payload.length long); returns the sample count. */
export function decodeG711(codec: G711Codec, payload: Uint8Array, out: Int16Array): number {
  const table = TABLES[codec];
  const n = Math.min(payload.length, out.length);
  for (let i = 0; i < n; i++) out[i] = table[payload[i]!]!;
  return n;
}

/** One byte to one sample. */
export function g711Sample(codec: G711Codec, byte: number): number {
  return TABLES[codec][byte & 0xff]!;
}

/** Root mean square of `samples[0..length)`, 0..32767; 0 for no samples. */
export function frameRms(samples: Int16Array, length = samples.length): number {
  if (length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / length);
}
