import { describe, expect, it } from 'vitest';
import { run as route } from '../../../src/cli/commands/route.js';
import { captured } from '../config/helpers.js';

const FIXTURE = 'test/fixtures/config/routing.yaml';

describe('switchboard route', () => {
  it('prints the decision and the trace', async () => {
    const r = await captured(route, ['--config', FIXTURE, '--to', '1-800-555-0100', '--from', '+14155550100', '--header', 'X-Tier=gold', '--at', '2026-11-26T10:00:00-05:00']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'at       2026-11-26T15:00:00.000Z',
        'rule     vip (#2)',
        'actions',
        '  1. queue support, priority 10 (full: queues.support.on_full; timeout: queues.support.on_timeout)',
        'trace',
        '  call: to "+18005550100" (received "1-800-555-0100"), from "+14155550100", no trunk',
        '  #1 blocked: not matched: from does not start with "+1900"',
        '  #2 vip: matched: to is "+18005550100"; header X-Tier matches /gold|platinum/',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON with --json', async () => {
    const r = await captured(route, ['--config', FIXTURE, '--to', '+18005550100', '--at', '2026-11-26T15:00:00Z', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ at: '2026-11-26T15:00:00.000Z', rule: 'closed', actions: [{ kind: 'voicemail', box: 'general' }] });
    expect(out.trace.at(-1).detail).toMatch(/holiday: Thanksgiving \(local 2026-11-26T10:00:00-05:00 America\/New_York\)/);
  });

  it('prints the default decision for a call no rule matches', async () => {
    const r = await captured(route, ['--config', FIXTURE, '--to', '+19995550000', '--at', '2026-11-26T15:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rule {5}\(none: default decision\)$/m);
    expect(r.stdout).toMatch(/^ {2}1\. reject 404 Not Found$/m);
    expect(r.stdout).toMatch(/^ {2}default: no rule matched: reject 404 Not Found$/m);
  });

  it('applies --trunk, --source, --unregistered, --gateway-down and --queue-length', async () => {
    const viaTrunk = await captured(route, ['--config', FIXTURE, '--to', '+18885550000', '--trunk', 'carrier-b', '--at', '2026-11-19T15:00:00Z', '--json']);
    expect(JSON.parse(viaTrunk.stdout).rule).toBe('carrier-b-800');
    const viaSource = await captured(route, ['--config', FIXTURE, '--to', '+18005550144', '--source', '127.0.0.2', '--at', '2026-11-19T15:00:00Z', '--json']);
    expect(JSON.parse(viaSource.stdout).rule).toBe('trunk-list');
    const degraded = await captured(route, [
      '--config', FIXTURE, '--to', '+18005550111', '--at', '2026-11-19T15:00:00Z', '--json',
      '--unregistered', 'alice', '--gateway-down', 'sip:127.0.0.1:5080',
    ]);
    const actions = JSON.parse(degraded.stdout).actions;
    expect(actions[0].targets.map((t: { user: string }) => t.user)).toEqual(['bob']);
    expect(actions[1].targets[1].gateways).toEqual(['sip:127.0.0.1:5081']);
    const full = await captured(route, [
      '--config', FIXTURE, '--to', '+18005550100', '--header', 'X-Tier=gold', '--queue-length', 'support=2', '--at', '2026-11-19T15:00:00Z', '--json',
    ]);
    expect(JSON.parse(full.stdout).actions.map((a: { kind: string }) => a.kind)).toEqual(['ring', 'voicemail']);
  });

  it.each([
    [['--config', FIXTURE, '--at', '2026-11-26T15:00:00Z'], /--to NUMBER is required/],
    [['--config', FIXTURE, '--to', '1'], /--at ISO-8601 is required/],
    [['--config', FIXTURE, '--to', '1', '--at', 'tomorrow'], /--at "tomorrow" is not an ISO 8601 instant with an offset/],
    [['--config', FIXTURE, '--to', '1', '--at', '2026-11-26T15:00:00'], /is not an ISO 8601 instant with an offset/],
    [['--config', FIXTURE, '--to', '1', '--at', '2026-02-30T15:00:00Z'], /is not an ISO 8601 instant/],
    [['--config', FIXTURE, '--to', '1', '--at', '2026-11-26T15:00:00Z', '--header', 'X-Tier'], /--header "X-Tier": write NAME=VALUE/],
    [['--config', FIXTURE, '--to', '1', '--at', '2026-11-26T15:00:00Z', '--queue-length', 'support=many'], /the length must be a whole number/],
    [['--to', '1', '--at', '2026-11-26T15:00:00Z'], /--config FILE is required/],
    [['--config', FIXTURE, '--to', '1', '--at', '2026-11-26T15:00:00Z', '--bogus'], /Unknown option '--bogus'/],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const r = await captured(route, argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('exits 1 for an invalid configuration, printing its errors', async () => {
    const r = await captured(route, ['--config', 'test/fixtures/config/invalid.yaml', '--to', '1', '--at', '2026-11-26T15:00:00Z']);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^test\/fixtures\/config\/invalid\.yaml:5:5: /);
  });

  it('exits 1 for a missing file and for names the configuration does not define', async () => {
    expect((await captured(route, ['--config', 'nope.yaml', '--to', '1', '--at', '2026-11-26T15:00:00Z'])).code).toBe(1);
    const r = await captured(route, ['--config', FIXTURE, '--to', '1', '--trunk', 'carrier-c', '--at', '2026-11-26T15:00:00Z']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('switchboard route: unknown trunk "carrier-c" (did you mean "carrier-a"?); defined: carrier-a, carrier-b\n');
  });
});
