/**
 * The IVR menu machine, path by path: each row is a script of events with the commands
 * and state expected after the last one.
 */
import { describe, expect, it } from 'vitest';
import { IvrMenu, ivrMenuSpec, type IvrCommand, type IvrMenuSpec, type IvrMenuState } from '../../../src/ivr/ivr-menu.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import type { IvrMenuDefinition } from '../../../src/config/schema/config.js';

const MAIN: IvrMenuSpec = { prompt: 'main.wav', invalidPrompt: 'invalid.wav', timeoutMs: 5000, retries: 2, options: ['1', '2', '0', '*'] };
const play = (...files: string[]): IvrCommand => ({ kind: 'play', files });
const STOP: IvrCommand = { kind: 'stop-prompt' };

type Event = ['start' | 'done' | 'tick', number] | ['digit', string, number];

function run(menu: IvrMenu, events: readonly Event[]): IvrCommand[][] {
  return events.map((e) => {
    switch (e[0]) {
      case 'start':
        return [...menu.start(e[1])];
      case 'done':
        return [...menu.promptDone(e[1])];
      case 'tick':
        return [...menu.tick(e[1])];
      case 'digit':
        return [...menu.digit(e[1], e[2])];
    }
  });
}

interface Row {
  name: string;
  spec?: IvrMenuSpec;
  events: Event[];
  /** Commands returned by each event, in order. */
  commands: IvrCommand[][];
  state: IvrMenuState;
}

const rows: Row[] = [
  {
    name: 'a key after the prompt chooses its option',
    events: [['start', 0], ['done', 3000], ['digit', '2', 4000]],
    commands: [[play('main.wav')], [], [{ kind: 'choose', option: '2' }]],
    state: 'done',
  },
  {
    name: 'a key during the prompt stops it and chooses (barge-in)',
    events: [['start', 0], ['digit', '*', 500]],
    commands: [[play('main.wav')], [STOP, { kind: 'choose', option: '*' }]],
    state: 'done',
  },
  {
    name: 'no key within the timeout replays the prompt',
    events: [['start', 0], ['done', 3000], ['tick', 7999], ['tick', 8000]],
    commands: [[play('main.wav')], [], [], [play('main.wav')]],
    state: 'prompting',
  },
  {
    name: 'the timeout counts from the end of the prompt, not from the start',
    events: [['start', 0], ['tick', 60_000], ['done', 60_000], ['digit', '1', 64_000]],
    commands: [[play('main.wav')], [], [], [{ kind: 'choose', option: '1' }]],
    state: 'done',
  },
  {
    name: 'an invalid key plays the invalid prompt, then the prompt',
    events: [['start', 0], ['done', 3000], ['digit', '7', 4000]],
    commands: [[play('main.wav')], [], [play('invalid.wav', 'main.wav')]],
    state: 'prompting',
  },
  {
    name: 'an invalid key during the prompt stops it first',
    events: [['start', 0], ['digit', '9', 100]],
    commands: [[play('main.wav')], [STOP, play('invalid.wav', 'main.wav')]],
    state: 'prompting',
  },
  {
    name: 'without an invalid prompt an invalid key replays the prompt alone',
    spec: { ...MAIN, invalidPrompt: undefined },
    events: [['start', 0], ['done', 10], ['digit', '5', 20]],
    commands: [[play('main.wav')], [], [play('main.wav')]],
    state: 'prompting',
  },
  {
    name: 'a valid key after a retry still chooses',
    events: [['start', 0], ['done', 10], ['digit', '5', 20], ['done', 3000], ['digit', '0', 3500]],
    commands: [[play('main.wav')], [], [play('invalid.wav', 'main.wav')], [], [{ kind: 'choose', option: '0' }]],
    state: 'done',
  },
  {
    name: 'retries 2: the third silence fails with no_input',
    events: [['start', 0], ['done', 0], ['tick', 5000], ['done', 5000], ['tick', 10_000], ['done', 10_000], ['tick', 15_000]],
    commands: [[play('main.wav')], [], [play('main.wav')], [], [play('main.wav')], [], [{ kind: 'fail', reason: 'no_input' }]],
    state: 'failed',
  },
  {
    name: 'the last failure decides the reason: silence, silence, invalid key',
    events: [['start', 0], ['done', 0], ['tick', 5000], ['done', 5000], ['tick', 10_000], ['done', 10_000], ['digit', '8', 11_000]],
    commands: [[play('main.wav')], [], [play('main.wav')], [], [play('main.wav')], [], [{ kind: 'fail', reason: 'invalid' }]],
    state: 'failed',
  },
  {
    name: 'retries 0: one invalid key during the prompt fails at once',
    spec: { ...MAIN, retries: 0 },
    events: [['start', 0], ['digit', '#', 10]],
    commands: [[play('main.wav')], [STOP, { kind: 'fail', reason: 'invalid' }]],
    state: 'failed',
  },
  {
    name: 'after the menu has chosen, further keys and ticks do nothing',
    events: [['start', 0], ['digit', '1', 10], ['digit', '2', 20], ['tick', 100_000], ['done', 100_000]],
    commands: [[play('main.wav')], [STOP, { kind: 'choose', option: '1' }], [], [], []],
    state: 'done',
  },
  {
    name: 'after the menu has failed, keys do nothing',
    spec: { ...MAIN, retries: 0 },
    events: [['start', 0], ['done', 0], ['tick', 5000], ['digit', '1', 5001]],
    commands: [[play('main.wav')], [], [{ kind: 'fail', reason: 'no_input' }], []],
    state: 'failed',
  },
  {
    name: 'a second start does nothing',
    events: [['start', 0], ['start', 1]],
    commands: [[play('main.wav')], []],
    state: 'prompting',
  },
  // Longer options (the config has single keys today; the machine supports both).
  {
    name: 'multi-digit: "12" chosen on its second key when no longer option starts with it',
    spec: { ...MAIN, options: ['12', '13', '2'] },
    events: [['start', 0], ['done', 0], ['digit', '1', 100], ['digit', '2', 200]],
    commands: [[play('main.wav')], [], [], [{ kind: 'choose', option: '12' }]],
    state: 'done',
  },
  {
    name: 'multi-digit: "1" and "11" — the inter-digit timeout settles on "1"',
    spec: { ...MAIN, options: ['1', '11'], interDigitTimeoutMs: 2000 },
    events: [['start', 0], ['done', 0], ['digit', '1', 100], ['tick', 2099], ['tick', 2100]],
    commands: [[play('main.wav')], [], [], [], [{ kind: 'choose', option: '1' }]],
    state: 'done',
  },
  {
    name: 'multi-digit: "#" ends the entry early',
    spec: { ...MAIN, options: ['1', '11'] },
    events: [['start', 0], ['done', 0], ['digit', '1', 100], ['digit', '#', 200]],
    commands: [[play('main.wav')], [], [], [{ kind: 'choose', option: '1' }]],
    state: 'done',
  },
  {
    name: 'multi-digit: an incomplete entry at the inter-digit timeout is invalid',
    spec: { ...MAIN, options: ['12', '2'], interDigitTimeoutMs: 2000 },
    events: [['start', 0], ['done', 0], ['digit', '1', 100], ['tick', 2100]],
    commands: [[play('main.wav')], [], [], [play('invalid.wav', 'main.wav')]],
    state: 'prompting',
  },
  {
    name: 'multi-digit: a wrong second key is invalid',
    spec: { ...MAIN, options: ['12', '2'] },
    events: [['start', 0], ['done', 0], ['digit', '1', 100], ['digit', '5', 200]],
    commands: [[play('main.wav')], [], [], [play('invalid.wav', 'main.wav')]],
    state: 'prompting',
  },
  {
    name: 'multi-digit: the first key during the prompt stops it and starts collecting',
    spec: { ...MAIN, options: ['12', '2'] },
    events: [['start', 0], ['digit', '1', 100], ['digit', '2', 200]],
    commands: [[play('main.wav')], [STOP], [{ kind: 'choose', option: '12' }]],
    state: 'done',
  },
];

describe('IvrMenu paths', () => {
  it.each(rows)('$name', (row) => {
    const menu = new IvrMenu(row.spec ?? MAIN);
    expect(run(menu, row.events)).toEqual(row.commands);
    expect(menu.state).toBe(row.state);
  });
});

describe('IvrMenu deadlines and counters', () => {
  it('exposes the deadline to arm one timer: none while prompting, timeout after, inter-digit while collecting', () => {
    const menu = new IvrMenu({ ...MAIN, options: ['1', '11'], interDigitTimeoutMs: 1500 });
    menu.start(0);
    expect(menu.deadline).toBeUndefined();
    menu.promptDone(2000);
    expect(menu.deadline).toBe(7000);
    menu.digit('1', 3000);
    expect(menu.deadline).toBe(4500);
    expect(menu.pendingEntry).toBe('1');
    menu.digit('1', 3200);
    expect(menu.deadline).toBeUndefined();
    expect(menu.state).toBe('done');
  });

  it('counts failed attempts', () => {
    const menu = new IvrMenu(MAIN);
    menu.start(0);
    menu.digit('9', 1);
    menu.promptDone(2);
    menu.tick(5002);
    expect(menu.failedAttempts).toBe(2);
  });

  it('refuses a non-DTMF key and a menu without options', () => {
    const menu = new IvrMenu(MAIN);
    menu.start(0);
    expect(() => menu.digit('x', 1)).toThrow(/not a DTMF key/);
    const err = (() => {
      try {
        new IvrMenu({ ...MAIN, options: [] });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isSwitchboardError(err, 'SB_INTERNAL')).toBe(true);
    expect(() => new IvrMenu({ ...MAIN, options: ['1x'] })).toThrow(/not a sequence of DTMF keys/);
  });

  it('takes its settings from a parsed ivr section', () => {
    const def = {
      prompt: 'prompts/main-menu.wav',
      timeout: 5000,
      retries: 2,
      invalid_prompt: 'prompts/invalid.wav',
      options: { '1': [], '*': [] },
      on_failure: [],
    } as unknown as IvrMenuDefinition;
    expect(ivrMenuSpec(def)).toEqual({
      prompt: 'prompts/main-menu.wav',
      invalidPrompt: 'prompts/invalid.wav',
      timeoutMs: 5000,
      retries: 2,
      options: ['1', '*'],
    });
  });
});
