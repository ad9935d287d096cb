/**
 * G.711 decoding (checked against sox for all 256 codes), the streaming WAV writer, and
 * the energy-threshold silence detector.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeG711, frameRms, g711Sample, type G711Codec } from '../../../src/media/g711.js';
import { SilenceDetector } from '../../../src/media/silence-detector.js';
import { WAV_HEADER_BYTES, WavWriter, wavHeader } from '../../../src/media/wav-writer.js';
import { linearToPcmu } from '../../helpers/rtp/g711.js';
import { readWav } from '../../helpers/rtp/wav.js';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('G.711 decoding', () => {
  it.each([
    ['PCMU', 'u-law'],
    ['PCMA', 'a-law'],
  ] as const)('%s: all 256 codes decode as sox decodes them', (codec: G711Codec, soxEncoding) => {
    const raw = join(dir, `${codec}.raw`);
    writeFileSync(raw, ALL_CODES);
    const out = execFileSync('sox', ['-t', 'raw', '-r', '8000', '-c', '1', '-e', soxEncoding, '-b', '8', raw, '-t', 'raw', '-e', 'signed', '-b', '16', '-L', '-']);
    const expected = new Int16Array(out.buffer, out.byteOffset, out.length / 2);
    const pcm = new Int16Array(256);
    expect(decodeG711(codec, ALL_CODES, pcm)).toBe(256);
    expect([...pcm]).toEqual([...expected]);
  });

  it('known codes: µ-law 0xFF/0x7F are zero, 0x80/0x00 full scale; A-law 0xD5 +8, 0xAA +32256', () => {
    expect([g711Sample('PCMU', 0xff), g711Sample('PCMU', 0x7f), g711Sample('PCMU', 0x80), g711Sample('PCMU', 0x00)]).toEqual([0, 0, 32124, -32124]);
    expect([g711Sample('PCMA', 0xd5), g711Sample('PCMA', 0x55), g711Sample('PCMA', 0xaa), g711Sample('PCMA', 0x2a)]).toEqual([8, -8, 32256, -32256]);
  });

  it('µ-law round trip stays within the quantisation step', () => {
    for (const x of [0, 1, -1, 100, -100, 1000, -5000, 12345, -32000]) {
      const y = g711Sample('PCMU', linearToPcmu(x));
      expect(Math.abs(y - x)).toBeLessThanOrEqual(Math.max(8, Math.abs(x) / 16));
    }
  });

  it('decodes no more than the output holds', () => {
    expect(decodeG711('PCMU', ALL_CODES, new Int16Array(10))).toBe(10);
  });

  it('frame RMS: a full-scale square wave and silence', () => {
    expect(frameRms(Int16Array.from([1000, -1000, 1000, -1000]))).toBe(1000);
    expect(frameRms(new Int16Array(0))).toBe(0);
    expect(frameRms(Int16Array.from([3, 4, 1000]), 2)).toBeCloseTo(Math.sqrt(12.5));
  });
});

describe('WavWriter', () => {
  it('writes a header that readers accept, with the RIFF and data sizes patched on close', async () => {
    const path = join(dir, 'a.wav');
    const wav = await WavWriter.create(path, 8000);
    wav.append(Int16Array.from([1, -2, 3]));
    wav.append(Int16Array.from([400, 500, -600, 7]), 2);
    expect(wav.sampleCount).toBe(5);
    expect(await wav.close()).toBe(5);
    const buf = readFileSync(path);
    expect(buf.length).toBe(WAV_HEADER_BYTES + 10);
    expect(buf.readUInt32LE(4)).toBe(36 + 10);
    expect(buf.readUInt32LE(40)).toBe(10);
    const read = readWav(buf);
    expect({ format: read.format, channels: read.channels, sampleRate: read.sampleRate, bits: read.bitsPerSample }).toEqual({
      format: 1,
      channels: 1,
      sampleRate: 8000,
      bits: 16,
    });
    expect([...read.samples]).toEqual([1, -2, 3, 400, 500]);
    // sox reads it too, and agrees on the length.
    expect(execFileSync('soxi', ['-s', path]).toString().trim()).toBe('5');
  });

  it('an empty recording is a valid 44-byte file', async () => {
    const path = join(dir, 'empty.wav');
    await (await WavWriter.create(path)).close();
    expect(statSync(path).size).toBe(44);
    expect(readFileSync(path).subarray(0, 44).equals(wavHeader(8000, 0))).toBe(true);
  });

  it('truncateTo cuts the data and the header follows', async () => {
    const path = join(dir, 'cut.wav');
    const wav = await WavWriter.create(path);
    wav.append(new Int16Array(8000).fill(1000));
    await wav.truncateTo(2000);
    wav.append(Int16Array.from([-1]));
    expect(await wav.close()).toBe(2001);
    const read = readWav(readFileSync(path));
    expect(read.samples.length).toBe(2001);
    expect(read.samples[1999]).toBe(1000);
    expect(read.samples[2000]).toBe(-1);
  });

  it('a failed write is kept: later writes are skipped, `error` tells, close() rejects, nothing goes unhandled', async () => {
    const wav = await WavWriter.create(join(dir, 'failing.wav'));
    // Pull the file handle away underneath (as a vanished disk would): writes fail with EBADF.
    await (wav as unknown as { file: { close(): Promise<void> } }).file.close();
    wav.append(Int16Array.from([1, 2, 3]));
    wav.append(Int16Array.from([4]));
    await expect(wav.truncateTo(1)).rejects.toThrow(/EBADF|closed/);
    expect(wav.error).toBeInstanceOf(Error);
    await expect(wav.close()).rejects.toThrow();
  });

  it('refuses appends after close, and a second close is harmless', async () => {
    const wav = await WavWriter.create(join(dir, 'closed.wav'));
    await wav.close();
    expect(() => wav.append(Int16Array.from([1]))).toThrow(/after close/);
    expect(await wav.close()).toBe(0);
  });
});

describe('SilenceDetector', () => {
  const tone = Int16Array.from({ length: 160 }, (_, i) => Math.round(4000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
  const quiet = Int16Array.from({ length: 160 }, (_, i) => (i % 2 === 0 ? 50 : -50)); // line noise, RMS 50
  const frames = (d: SilenceDetector, frame: Int16Array, count: number): boolean[] => Array.from({ length: count }, () => d.feed(frame));

  it('fires after exactly silenceMs of quiet frames in a row', () => {
    const d = new SilenceDetector({ sampleRate: 8000, silenceMs: 1000 });
    frames(d, tone, 10);
    const fired = frames(d, quiet, 50);
    expect(fired.indexOf(true)).toBe(49); // the 50th 20 ms frame completes 1 s
    expect(d.lastSoundAt).toBe(1600);
    expect(d.heardSound).toBe(true);
  });

  it('a sound in between restarts the count', () => {
    const d = new SilenceDetector({ sampleRate: 8000, silenceMs: 1000 });
    expect(frames(d, quiet, 49).some(Boolean)).toBe(false);
    d.feed(tone);
    expect(frames(d, quiet, 49).some(Boolean)).toBe(false);
    expect(d.silentSamples).toBe(49 * 160);
    expect(d.feed(quiet)).toBe(true);
  });

  it('the threshold decides what is silence', () => {
    const strict = new SilenceDetector({ sampleRate: 8000, silenceMs: 20, threshold: 40 });
    expect(strict.feed(quiet)).toBe(false);
    expect(strict.heardSound).toBe(true);
    const lax = new SilenceDetector({ sampleRate: 8000, silenceMs: 20, threshold: 5000 });
    expect(lax.feed(tone)).toBe(true);
    expect(lax.heardSound).toBe(false);
    expect(lax.lastSoundAt).toBe(0);
  });
});
