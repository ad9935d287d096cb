/**
 * One IVR menu as a pure state machine: no timers, no I/O. The caller of the machine feeds
 * it events with the current time and carries out the commands it returns; it sets one
 * timer for `deadline` and calls tick() when it fires.
 *
 * | state      | event                                   | next       | commands                          |
 * |------------|-----------------------------------------|------------|-----------------------------------|
 * | idle       | start                                   | prompting  | play [prompt]                     |
 * | prompting  | promptDone                              | waiting    | deadline = now + timeout          |
 * | prompting/ | digit completing an option, no longer   | done       | stop-prompt (if prompting),       |
 * | waiting    | option starting with it                 |            | choose key                        |
 * | prompting/ | digit starting a longer option          | collecting | stop-prompt (if prompting),       |
 * | waiting    |                                         |            | deadline = now + interDigitTimeout|
 * | collecting | digit completing an option, no longer   | done       | choose key                        |
 * |            | option starting with the entry          |            |                                   |
 * | collecting | digit extending towards an option       | collecting | deadline = now + interDigitTimeout|
 * | collecting | inter-digit deadline, or "#" ending the | done /     | choose the entry if it is an      |
 * |            | entry (when "#" is no option's next key)| (invalid)  | option, else invalid              |
 * | any live   | digit matching no option                | (invalid)  |                                   |
 * | waiting    | timeout deadline                        | (no input) |                                   |
 * | (invalid)  | failures <= retries                     | prompting  | stop-prompt, play [invalid_prompt,|
 * |            |                                         |            | prompt] (or [prompt])             |
 * | (no input) | failures <= retries                     | prompting  | play [prompt]                     |
 * | (either)   | failures > retries                      | failed     | stop-prompt if prompting,         |
 * |            |                                         |            | fail 'invalid' / 'no_input'       |
 * | done/failed| anything                                | same       | none                              |
 *
 * Digits are accepted while a prompt plays (barge-in). `retries` counts replays, so a
 * menu with retries 2 is heard at most three times. The config's keys are single DTMF
 * keys today; longer keys ("11", "*9") work the same way with the inter-digit timeout.
 *
 * @example
 *   const menu = new IvrMenu(ivrMenuSpec(config.ivr.main));
 *   run(menu.start(now()));              // [{ kind: 'play', files: ['prompts/main-menu.wav'] }]
 *   // playback finished:  run(menu.promptDone(now()));
 *   // DtmfEvents digit:   run(menu.digit('1', now()));   // [{ kind: 'choose', option: '1' }]
 *   // timer at deadline:  if (menu.deadline !== undefined) setTimeout(() => run(menu.tick(now())), menu.deadline - now());
 */
import type { IvrMenuDefinition } from '../config/schema/config.js';
import { SwitchboardError } from '../util/errors.js';

export interface IvrMenuSpec {
  /** Played at the start and on every retry. */
  readonly prompt: string;
  /** Played before the prompt after an invalid entry; absent: the prompt alone. */
  readonly invalidPrompt?: string;
  /** How long to wait for the first key once a prompt has finished, ms. */
  readonly timeoutMs: number;
  /** Replays after no key or an invalid entry before the menu fails. */
  readonly retries: number;
  /** The option keys, e.g. ['1', '2', '0', '*']. */
  readonly options: readonly string[];
  /** How long to wait for the next key of a longer option, ms. Default 3000. */
  readonly interDigitTimeoutMs?: number;
}

export type IvrFailure = 'no_input' | 'invalid';

export type IvrCommand =
  | { readonly kind: 'play'; readonly files: readonly string[] }
  /** Barge-in: the caller pressed a key while a prompt played. */
  | { readonly kind: 'stop-prompt' }
  | { readonly kind: 'choose'; readonly option: string }
  | { readonly kind: 'fail'; readonly reason: IvrFailure };

export type IvrMenuState = 'idle' | 'prompting' | 'waiting' | 'collecting' | 'done' | 'failed';

export const DEFAULT_INTER_DIGIT_TIMEOUT_MS = 3000;
const DTMF_KEY = /^[0-9*#A-D]$/;
const NONE: readonly IvrCommand[] = [];

/** The machine's settings from a parsed `ivr.<menu>` section. */
export function ivrMenuSpec(menu: IvrMenuDefinition, interDigitTimeoutMs?: number): IvrMenuSpec {
  return {
    prompt: menu.prompt,
    ...(menu.invalid_prompt === undefined ? {} : { invalidPrompt: menu.invalid_prompt }),
    timeoutMs: menu.timeout,
    retries: menu.retries,
    options: Object.keys(menu.options),
    ...(interDigitTimeoutMs === undefined ? {} : { interDigitTimeoutMs }),
  };
}

export class IvrMenu {
  private current: IvrMenuState = 'idle';
  private entry = '';
  private failures = 0;
  private due: number | undefined;
  private readonly keys: ReadonlySet<string>;
  /** Every proper prefix of a key: an entry that may still grow into an option. */
  private readonly prefixes: ReadonlySet<string>;
  private readonly interDigitMs: number;

  constructor(private readonly spec: IvrMenuSpec) {
    if (spec.options.length === 0) throw new SwitchboardError('SB_INTERNAL', 'an IVR menu needs at least one option');
    for (const key of spec.options) {
      if (key.length === 0 || ![...key].every((k) => DTMF_KEY.test(k))) {
        throw new SwitchboardError('SB_INTERNAL', `IVR option ${JSON.stringify(key)} is not a sequence of DTMF keys`);
      }
    }
    if (!(spec.timeoutMs > 0) || !Number.isInteger(spec.retries) || spec.retries < 0) {
      throw new SwitchboardError('SB_INTERNAL', `IVR menu timeout ${spec.timeoutMs} ms / retries ${spec.retries} out of range`);
    }
    this.keys = new Set(spec.options);
    const prefixes = new Set<string>();
    for (const key of spec.options) for (let i = 1; i < key.length; i++) prefixes.add(key.slice(0, i));
    this.prefixes = prefixes;
    this.interDigitMs = spec.interDigitTimeoutMs ?? DEFAULT_INTER_DIGIT_TIMEOUT_MS;
  }

  get state(): IvrMenuState {
    return this.current;
  }

  /** When tick() has something to do (absolute time, same clock as `now`); undefined: nothing pending. */
  get deadline(): number | undefined {
    return this.due;
  }

  /** Failed attempts so far (no input or invalid entry). */
  get failedAttempts(): number {
    return this.failures;
  }

  /** Digits collected towards a longer option. */
  get pendingEntry(): string {
    return this.entry;
  }

  start(_now: number): readonly IvrCommand[] {
    if (this.current !== 'idle') return NONE;
    return this.prompt([this.spec.prompt]);
  }

  /** The prompt (or invalid prompt + prompt) finished playing: the timeout starts now. */
  promptDone(now: number): readonly IvrCommand[] {
    if (this.current !== 'prompting') return NONE;
    this.current = 'waiting';
    this.due = now + this.spec.timeoutMs;
    return NONE;
  }

  /** A key the caller pressed (0-9, *, #, A-D). */
  digit(key: string, now: number): readonly IvrCommand[] {
    if (!DTMF_KEY.test(key)) throw new SwitchboardError('SB_INTERNAL', `${JSON.stringify(key)} is not a DTMF key`);
    if (this.current !== 'prompting' && this.current !== 'waiting' && this.current !== 'collecting') return NONE;
    const out: IvrCommand[] = this.current === 'prompting' ? [{ kind: 'stop-prompt' }] : [];
    const entry = this.entry + key;
    // "#" ends a longer entry early unless the menu itself continues with it.
    if (key === '#' && this.entry !== '' && !this.keys.has(entry) && !this.prefixes.has(entry)) {
      return [...out, ...this.settle(this.entry)];
    }
    if (this.keys.has(entry) && !this.prefixes.has(entry)) return [...out, ...this.choose(entry)];
    if (this.keys.has(entry) || this.prefixes.has(entry)) {
      this.entry = entry;
      this.current = 'collecting';
      this.due = now + this.interDigitMs;
      return out;
    }
    return [...out, ...this.failed('invalid')];
  }

  /** Time has passed; call at or after `deadline`. Early calls do nothing. */
  tick(now: number): readonly IvrCommand[] {
    if (this.due === undefined || now < this.due) return NONE;
    if (this.current === 'waiting') return this.failed('no_input');
    if (this.current === 'collecting') return this.settle(this.entry);
    return NONE;
  }

  private settle(entry: string): readonly IvrCommand[] {
    return this.keys.has(entry) ? this.choose(entry) : this.failed('invalid');
  }

  private choose(option: string): readonly IvrCommand[] {
    this.current = 'done';
    this.entry = '';
    this.due = undefined;
    return [{ kind: 'choose', option }];
  }

  private failed(reason: IvrFailure): readonly IvrCommand[] {
    this.failures++;
    if (this.failures > this.spec.retries) {
      this.current = 'failed';
      this.entry = '';
      this.due = undefined;
      return [{ kind: 'fail', reason }];
    }
    const files =
      reason === 'invalid' && this.spec.invalidPrompt !== undefined ? [this.spec.invalidPrompt, this.spec.prompt] : [this.spec.prompt];
    return this.prompt(files);
  }

  private prompt(files: readonly string[]): readonly IvrCommand[] {
    this.current = 'prompting';
    this.entry = '';
    // No deadline while a prompt plays: the timeout counts from promptDone().
    this.due = undefined;
    return [{ kind: 'play', files }];
  }
}
