import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/config/duration.js';
import { loadConfigFile, parseConfig } from '../../../src/config/load.js';
import { suggest } from '../../../src/config/suggest.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { yaml } from './helpers.js';

const EXAMPLE = 'config/switchboard.example.yaml';

describe('the example configuration', () => {
  it('validates and contains every section', async () => {
    const config = await loadConfigFile(EXAMPLE);
    expect(config.routes.length).toBeGreaterThanOrEqual(8);
    for (const section of ['trunks', 'users', 'agents', 'queues', 'schedules', 'ivr', 'voicemail'] as const) {
      expect(Object.keys(config[section]).length, section).toBeGreaterThan(0);
    }
    expect(config.numbering).toBeDefined();
  });

  it('shows every action kind, match kind and queue strategy', async () => {
    const config = await loadConfigFile(EXAMPLE);
    const chains = [
      ...config.routes.map((r) => r.then),
      ...Object.values(config.queues).flatMap((q) => [q.on_full, q.on_timeout]),
      ...Object.values(config.ivr).flatMap((m) => [...Object.values(m.options), m.on_failure]),
    ];
    const kinds = new Set(chains.flat().map((s) => s.kind));
    expect([...kinds].sort()).toEqual(['follow_the_sun', 'forward', 'ivr', 'play', 'queue', 'reject', 'ring', 'voicemail']);
    const modes = new Set(chains.flat().flatMap((s) => (s.kind === 'ring' ? [s.mode] : [])));
    expect([...modes].sort()).toEqual(['sequential', 'simultaneous']);
    const matches = config.routes.flatMap((r) => [r.match.to?.kind, r.match.from?.kind]).filter(Boolean);
    expect(new Set(matches)).toEqual(new Set(['exact', 'prefix', 'pattern']));
    expect(config.routes.some((r) => r.match.header)).toBe(true);
    expect(config.routes.some((r) => r.match.trunk)).toBe(true);
    expect(config.routes.some((r) => r.match.schedule?.open === false)).toBe(true);
    expect(config.routes.some((r) => r.match.schedule?.open === true)).toBe(true);
    expect(new Set(Object.values(config.queues).map((q) => q.strategy))).toEqual(
      new Set(['longest-idle', 'fewest-calls', 'round-robin', 'ring-all', 'linear']),
    );
  });

  it('listens and routes on loopback only', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const addresses = [...text.matchAll(/\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\b/g)].map((m) => m[1]!);
    expect(addresses.length).toBeGreaterThan(5);
    for (const address of addresses) expect(address, address).toMatch(/^127\./);
    expect(text).not.toMatch(/\[(?!::1\])[0-9a-f:]+\]:\d+/i); // no IPv6 other than ::1
  });

  it('is deep-frozen', async () => {
    const config = await loadConfigFile(EXAMPLE);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.queues.support!.skills.relax[0])).toBe(true);
    expect(Object.isFrozen(config.routes[0]!.then)).toBe(true);
  });
});

describe('defaults and canonical forms', () => {
  it('fills every default into a minimal file', () => {
    const config = parseConfig('routes: []\n', 'min.yaml');
    expect(config.numbering).toBeUndefined();
    expect(config.sip).toEqual({
      listen: ['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'],
      realm: 'switchboard',
      max_message_size: 65536,
      timers: { t1: 500, t2: 4000, t4: 5000 },
      tcp: { idle_timeout: 300_000, message_timeout: 10_000, max_connections: 10_000, max_connections_per_source: 100 },
      control: { listen: '127.0.0.1:9022' },
      drachtio: { mode: 'embedded', port: 9022 },
      headers: { copy: [] },
    });
    expect(config.media).toEqual({
      rtpengine: { mode: 'managed', ng: '127.0.0.1:22222', interfaces: ['127.0.0.1'], playback_threads: 1, port_min: 30000, port_max: 40000, timeout: 60_000 },
      files: 'config/media',
      voicemail: 'var/voicemail',
      recordings: 'var/recordings',
    });
    expect(config.admin).toEqual({ listen: '127.0.0.1:8080' });
    expect(config.log).toEqual({ level: 'info' });
    expect(config.cdr).toEqual({});
    expect(config.queue_log).toEqual({});
    for (const section of ['trunks', 'users', 'agents', 'queues', 'schedules', 'ivr', 'voicemail'] as const) expect(config[section]).toEqual({});
  });

  it('takes play as one file or a list, and lets a step follow it', () => {
    const config = parseConfig('voicemail: { box: {} }\nroutes:\n  - { name: a, then: [{ play: closed.wav }, { voicemail: box }] }\n  - { name: b, then: { play: [one.wav, two.wav] } }\n', 't.yaml');
    expect(config.routes[0]!.then).toEqual([{ kind: 'play', files: ['closed.wav'] }, { kind: 'voicemail', box: 'box', continue_on: ['busy', 'no_answer', 'unavailable', 'failure'] }]);
    expect(config.routes[1]!.then).toEqual([{ kind: 'play', files: ['one.wav', 'two.wav'] }]);
  });

  it('expands shorthands and applies entry defaults', () => {
    const config = parseConfig(
      yaml`
        numbering: { country_code: "49" }
        users: { alice: { password: alice-secret } }
        agents: { alice: { skills: { en: 3 } } }
        queues: { q: { members: [alice] } }
        ivr: { m: { prompt: m.wav, options: { "1": { queue: q } } } }
        schedules: { s: { tz: Europe/Berlin, weekly: { sat-mon: "22:00-06:00" }, exceptions: [{ closed: 2026-12-31 }] } }
        routes:
          - name: r
            match: { to: "030 1234", trunk: t, schedule: s }
            then: { ring: alice }
        trunks: { t: { inbound: { sources: ["2001:DB8:0:0::/32"] } } }
      `,
      'x.yaml',
    );
    expect(config.numbering).toEqual({ country_code: '49', international_prefix: '00', national_prefix: '0', national_number_lengths: [] });
    expect(config.agents.alice).toEqual({ user: 'alice', skills: { en: 3 }, max_calls: 1, wrap_up: 0 });
    const q = config.queues.q!;
    expect(q.strategy).toBe('longest-idle');
    expect(q.aging).toBe(60_000);
    expect(q.skills).toEqual({ need: {}, relax: [] });
    expect(q.on_full).toEqual([{ kind: 'reject', status: 503, reason: 'Queue Full' }]);
    expect(q.on_timeout).toEqual([{ kind: 'reject', status: 480, reason: 'Queue Timeout' }]);
    expect(q.offer).toEqual({ ring_timeout: 15_000, retry_delay: 5_000 });
    expect(q.announcements).toEqual({ position: true, estimated_wait: true, first_after: 30_000, every: 60_000 });
    expect(config.ivr.m!.on_failure).toEqual([{ kind: 'reject', status: 480, reason: 'Temporarily Unavailable' }]);
    expect(config.ivr.m!.options['1']).toEqual([{ kind: 'queue', queue: 'q', priority: 0 }]);
    const s = config.schedules.s!;
    expect(s.weekly.sat).toEqual([{ start: 22 * 60, end: 6 * 60 }]);
    expect(s.weekly.sun).toEqual(s.weekly.sat);
    expect(s.weekly.mon).toEqual(s.weekly.sat);
    expect(s.weekly.tue).toEqual([]);
    expect(s.exceptions).toEqual([{ open: false, from: '2026-12-31T00:00', to: '2027-01-01T00:00' }]);
    const route = config.routes[0]!;
    expect(route.match).toEqual({ to: { kind: 'exact', values: ['030 1234'] }, trunk: ['t'], schedule: { schedule: 's', open: true } });
    expect(route.then).toEqual([
      {
        kind: 'ring',
        targets: [{ kind: 'user', user: 'alice' }],
        mode: 'simultaneous',
        timeout: 20_000,
        continue_on: ['busy', 'no_answer', 'unavailable', 'failure'],
      },
    ]);
    expect(config.trunks.t!.inbound!.sources).toEqual(['2001:db8::/32']);
  });

  it('accepts YAML anchors and merge keys for shared settings', () => {
    const config = parseConfig(
      yaml`
        users:
          alice: &phone { password: shared-secret, display_name: Phone }
          bob: { <<: *phone, display_name: Bob }
      `,
      'x.yaml',
    );
    expect(config.users.bob).toEqual({ password: 'shared-secret', display_name: 'Bob' });
  });
});

describe('loadConfigFile', () => {
  it('refuses a missing file with SB_CONFIG_READ in one line', async () => {
    const error = await loadConfigFile('/nonexistent/switchboard.yaml').catch((e: unknown) => e);
    expect(isSwitchboardError(error, 'SB_CONFIG_READ')).toBe(true);
    expect((error as Error).message).toBe('/nonexistent/switchboard.yaml: cannot read the configuration: no such file');
  });

  it('reports errors with the path it was given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'log: { level: loud }\n');
    const error = await loadConfigFile(file).catch((e: unknown) => e);
    expect(isSwitchboardError(error, 'SB_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message.startsWith(`${file}:1:15: log.level:`)).toBe(true);
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['20s', 20_000],
    ['1.5s', 1500],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['20', '20 s', '1d', '-5s', 's', '0.5ms', '1e3ms', ' 5s'])('%j is refused', (text) => expect(parseDuration(text)).toBeUndefined());

  it.each([
    [500, '500ms'],
    [20_000, '20s'],
    [90_000, '90s'],
    [600_000, '10m'],
    [7_200_000, '2h'],
    [0, '0s'],
  ])('%d ms formats as %s and parses back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('suggestions', () => {
  it.each([
    ['qeue', ['queue', 'queues', 'routes'], 'queue'],
    ['Europe/Berln', ['Europe/Berlin', 'Europe/Bern'], 'Europe/Berlin'],
    ['teh', ['the'], 'the'],
    ['xyz', ['queue'], undefined],
    ['a', ['b'], 'b'],
  ])('%s -> %s', (word, candidates, expected) => expect(suggest(word, candidates)).toBe(expected));
});
