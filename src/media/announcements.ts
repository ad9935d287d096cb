/**
 * The default audio set's file names, and announcements built from its fragments.
 * Paths are relative to `media.files` (config/media by default); scripts/make-media.sh
 * generates exactly the files DEFAULT_MEDIA_FILES lists.
 *
 * @example
 *   positionAnnouncement(23);
 *   // ['prompts/you-are-caller-number.wav', 'numbers/20.wav', 'numbers/3.wav']
 *   waitAnnouncement(90_000);
 *   // ['prompts/your-estimated-wait-time-is.wav', 'numbers/2.wav', 'prompts/minutes.wav']
 *   mediaPath('/srv/switchboard/config/media', 'music/hold.wav');
 *   // '/srv/switchboard/config/media/music/hold.wav'
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { SwitchboardError } from '../util/errors.js';

export const PROMPTS = {
  callerNumber: 'prompts/you-are-caller-number.wav',
  estimatedWait: 'prompts/your-estimated-wait-time-is.wav',
  lessThan: 'prompts/less-than.wav',
  minute: 'prompts/minute.wav',
  minutes: 'prompts/minutes.wav',
  pleaseHold: 'prompts/please-hold.wav',
  callbackOffer: 'prompts/press-1-for-callback.wav',
  callbackConfirmed: 'prompts/callback-confirmed.wav',
  goodbye: 'prompts/goodbye.wav',
  beep: 'prompts/beep.wav',
  mainMenu: 'prompts/main-menu.wav',
  invalid: 'prompts/invalid.wav',
  afterHours: 'prompts/after-hours.wav',
} as const;

export const GREETINGS = {
  /** Voicemail boxes without a greeting of their own. */
  standard: 'greetings/standard.wav',
  general: 'greetings/general.wav',
  support: 'greetings/support.wav',
} as const;

export const HOLD_MUSIC = 'music/hold.wav';

/** Numbers with a fragment of their own: 0-19, the tens, and "hundred". */
const NUMBER_WORDS = [...Array.from({ length: 20 }, (_, i) => i), 20, 30, 40, 50, 60, 70, 80, 90];
const HUNDRED = 'numbers/hundred.wav';
/** Largest number numberFragments() can say. */
export const MAX_SPOKEN_NUMBER = 999;

/** Every file of the default set, relative to the media directory. */
export const DEFAULT_MEDIA_FILES: readonly string[] = [
  ...Object.values(PROMPTS),
  ...Object.values(GREETINGS),
  HOLD_MUSIC,
  ...NUMBER_WORDS.map(numberFile),
  HUNDRED,
];

function numberFile(n: number): string {
  return `numbers/${n}.wav`;
}

/**
 * The fragments that say `n` (0-999) in English: 7 → "7"; 42 → "40" "2"; 305 → "3" "hundred" "5".
 */
export function numberFragments(n: number): string[] {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SPOKEN_NUMBER) {
    throw new SwitchboardError('SB_INTERNAL', `cannot announce ${n}: only whole numbers 0..${MAX_SPOKEN_NUMBER}`);
  }
  const out: string[] = [];
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds > 0) out.push(numberFile(hundreds), HUNDRED);
  if (rest === 0) return hundreds > 0 ? out : [numberFile(0)];
  if (rest < 20) out.push(numberFile(rest));
  else {
    out.push(numberFile(rest - (rest % 10)));
    if (rest % 10 !== 0) out.push(numberFile(rest % 10));
  }
  return out;
}

/** "You are caller number N" (positions above 999 are announced as 999). */
export function positionAnnouncement(position: number): string[] {
  return [PROMPTS.callerNumber, ...numberFragments(Math.min(Math.max(1, Math.round(position)), MAX_SPOKEN_NUMBER))];
}

/**
 * "Your estimated wait time is N minutes", rounded up to whole minutes; under a minute:
 * "less than 1 minute".
 */
export function waitAnnouncement(waitMs: number): string[] {
  if (waitMs < 60_000) return [PROMPTS.estimatedWait, PROMPTS.lessThan, numberFile(1), PROMPTS.minute];
  const minutes = Math.min(Math.ceil(waitMs / 60_000), MAX_SPOKEN_NUMBER);
  return [PROMPTS.estimatedWait, ...numberFragments(minutes), minutes === 1 ? PROMPTS.minute : PROMPTS.minutes];
}

/**
 * The absolute path rtpengine opens for a configured file (it runs with its own working
 * directory). Refuses paths that leave the media directory.
 */
export function mediaPath(mediaDir: string, file: string): string {
  const root = resolve(mediaDir);
  const full = resolve(root, file);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new SwitchboardError('SB_CONFIG_INVALID', `media file "${file}" is outside the media directory ${root}`);
  }
  return full;
}
