import { afterEach, describe, expect, it, vi } from 'vitest';
import { run as check } from '../../../src/cli/commands/check.js';
import { run as schema } from '../../../src/cli/commands/schema.js';
import { configJsonSchemaText } from '../../../src/config/json-schema.js';
import { captured } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

describe('switchboard check', () => {
  it('prints OK with a summary and exits 0 for a valid file', async () => {
    const r = await captured(check, ['--config', 'config/switchboard.example.yaml']);
    expect(r).toEqual({
      code: 0,
      stdout:
        'OK: config/switchboard.example.yaml (10 rules, 5 queues, 4 agents, 6 users, 2 trunks, 4 schedules, 1 IVR menu, 4 voicemail boxes)\n',
      stderr: '',
    });
  });

  it('prints every error as FILE:LINE:COLUMN and exits 1', async () => {
    const r = await captured(check, ['--config', 'test/fixtures/config/invalid.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      'test/fixtures/config/invalid.yaml:5:5: queues.support.max_wiat: unknown key "max_wiat" (did you mean "max_wait"?); allowed keys: strategy, members, skills, aging, max_size, on_full, max_wait, on_timeout, offer, callback, announcements, music, record',
      'test/fixtures/config/invalid.yaml:7:21: agents.alice.wrap_up: "soon" is not a duration; write a number followed by ms, s, m or h, e.g. "500ms", "20s", "10m", "1h"',
      'FAILED: test/fixtures/config/invalid.yaml (2 errors)',
      '',
    ]);
  });

  it('reports a missing file in one line and exits 1', async () => {
    const r = await captured(check, ['--config', 'test/fixtures/config/nope.yaml']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'test/fixtures/config/nope.yaml: cannot read the configuration: no such file\n' });
  });

  it.each([
    [[], 'switchboard check: --config FILE is required\n'],
    [['--config'], /^switchboard check: Option '-c, --config <value>' argument missing\n$/],
    [['--config', 'x.yaml', '--verbose'], /^switchboard check: Unknown option '--verbose'/],
  ])('usage errors exit 2 with one line: %j', async (argv, message) => {
    const r = await captured(check, argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('prints help and exits 0', async () => {
    const r = await captured(check, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: switchboard check --config FILE/);
  });
});

describe('switchboard schema', () => {
  it('prints the JSON Schema', async () => {
    const r = await captured(schema, []);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(configJsonSchemaText());
    expect(JSON.parse(r.stdout)).toMatchObject({ title: 'Switchboard configuration', type: 'object' });
  });

  it('refuses arguments with exit 2', async () => {
    expect((await captured(schema, ['--pretty'])).code).toBe(2);
  });
});
