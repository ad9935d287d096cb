/**
 * scripts/make-media.sh (real espeak-ng and sox) into a temporary directory: exactly the
 * files the code and the example config name, in telephone format, audible, and made
 * only when missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA_FILES, HOLD_MUSIC, PROMPTS } from '../../../src/media/announcements.js';
import { readWav, rms } from '../../helpers/rtp/wav.js';

const script = join(import.meta.dirname, '../../../scripts/make-media.sh');
const exampleConfig = join(import.meta.dirname, '../../../config/switchboard.example.yaml');
let dir: string;
let firstRun: string;

function run(): string {
  return execFileSync(script, [dir], { encoding: 'utf8', timeout: 60_000 });
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-make-media-'));
  firstRun = run();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('scripts/make-media.sh', () => {
  it('generates exactly DEFAULT_MEDIA_FILES', () => {
    expect(listFiles(dir)).toEqual([...DEFAULT_MEDIA_FILES].sort());
    expect(firstRun).toContain(`${DEFAULT_MEDIA_FILES.length} file(s) generated`);
  });

  it('covers every .wav the example configuration names', () => {
    const named = [...readFileSync(exampleConfig, 'utf8').matchAll(/([\w./-]+\.wav)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const file of named) expect(DEFAULT_MEDIA_FILES, file).toContain(file);
  });

  it('writes 8 kHz mono 16-bit PCM that is not silence', () => {
    for (const file of DEFAULT_MEDIA_FILES) {
      const wav = readWav(readFileSync(join(dir, file)));
      expect({ file, format: wav.format, channels: wav.channels, rate: wav.sampleRate, bits: wav.bitsPerSample }).toEqual({
        file,
        format: 1,
        channels: 1,
        rate: 8000,
        bits: 16,
      });
      expect(rms(wav.samples), file).toBeGreaterThan(300);
    }
  });

  it('makes fragments short and hold music long enough to loop', () => {
    const seconds = (file: string): number => readWav(readFileSync(join(dir, file))).samples.length / 8000;
    expect(seconds('numbers/7.wav')).toBeLessThan(1.5);
    expect(seconds(PROMPTS.callerNumber)).toBeLessThan(3);
    expect(seconds(HOLD_MUSIC)).toBeGreaterThanOrEqual(8);
    expect(seconds(PROMPTS.beep)).toBeCloseTo(0.4, 2);
  });

  it('is idempotent and regenerates only what is missing', () => {
    const before = statSync(join(dir, HOLD_MUSIC)).mtimeMs;
    expect(run()).toContain('0 file(s) generated');
    unlinkSync(join(dir, 'numbers/3.wav'));
    expect(run()).toContain('1 file(s) generated');
    expect(listFiles(dir)).toEqual([...DEFAULT_MEDIA_FILES].sort());
    expect(statSync(join(dir, HOLD_MUSIC)).mtimeMs).toBe(before);
  });
});
