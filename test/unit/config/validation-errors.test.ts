import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '../../../src/config/issues.js';
import { parseConfig } from '../../../src/config/load.js';
import { isSwitchboardError } from '../../../src/util/errors.js';
import { BASE, issuesOf, located, withBase, yaml, type Case } from './helpers.js';

const cases: Case[] = [
  located('unknown top-level key, with a suggestion', '⟨qeues: {}\n', 'qeues', /^unknown key "qeues" \(did you mean "queues"\?\); allowed keys: numbering, sip, security, registrar, media, trunks, /),
  located('unknown nested key, with a suggestion', 'sip:\n  timers:\n    t1: 500ms\n    ⟨tt2: 4s\n', 'sip.timers.tt2', /^unknown key "tt2" \(did you mean "t2"\?\); allowed keys: t1, t2, t4$/),
  located('unknown key without a close match lists the allowed keys', 'log: { ⟨colour: red }\n', 'log.colour', /^unknown key "colour"; allowed keys: level$/),
  withBase('wrong type: text where a number belongs', 'sip: { max_message_size: ⟨big }\n', 'sip.max_message_size', /^expected a number, got the text "big"$/),
  withBase('wrong type: a fraction where a whole number belongs', 'sip: { max_message_size: ⟨2048.5 }\n', 'sip.max_message_size', /^expected a whole number, got the number 2048.5$/),
  withBase('wrong type: a number where text belongs, with a quoting hint', 'voicemail: { box: { pin: ⟨1234 } }\n', 'voicemail.box.pin', /^expected text, got the number 1234; put it in quotes: "1234"$/),
  withBase('wrong type: a list where a mapping belongs', 'sip: { timers: ⟨[500ms] }\n', 'sip.timers', /^expected a mapping, got a list$/),
  withBase('wrong type: an empty value', 'log:\n  level:⟨\n', 'log.level', /^an empty value is not allowed; use one of: fatal, error, warn, info, debug, trace, silent$/),
  withBase('bad duration', 'queues: { q: { members: [alice], max_wait: ⟨10 minutes } }\n', 'queues.q.max_wait', /^"10 minutes" is not a duration; write a number followed by ms, s, m or h, e\.g\. "500ms", "20s", "10m", "1h"$/),
  withBase('duration without a unit', 'sip: { tcp: { idle_timeout: ⟨300 } }\n', 'sip.tcp.idle_timeout', /^the number 300 is not a duration; write a number followed by ms, s, m or h/),
  withBase('duration below the minimum', 'sip: { timers: { t1: ⟨10ms } }\n', 'sip.timers.t1', /^10ms is too short; the minimum is 100ms$/),
  withBase('duration above the maximum', 'voicemail: { box: { max_length: ⟨2h } }\n', 'voicemail.box.max_length', /^2h is too long; the maximum is 1h$/),
  withBase('value above the range', 'agents: { alice: { skills: { en: ⟨7 } } }\n', 'agents.alice.skills.en', /^must be at most 5, got 7$/),
  withBase('value below the range', 'sip: { max_message_size: ⟨10 }\n', 'sip.max_message_size', /^must be at least 1024, got 10$/),
  withBase('enum value with a suggestion', 'queues: { q: { members: [alice], strategy: ⟨longest-idel } }\n', 'queues.q.strategy', /^"longest-idel" is not allowed \(did you mean "longest-idle"\?\); use one of: longest-idle, fewest-calls, round-robin, ring-all, linear$/),
  withBase('empty list', 'queues: { q: { members: ⟨[] } }\n', 'queues.q.members', /^must not be an empty list$/),
  withBase('missing required key, pointed at the entry', 'queues:\n  ⟨q: { strategy: linear }\n', 'queues.q.members', /^missing required key "members" \(a list\)$/),
  withBase('bad time range', 'schedules: { s: { tz: UTC, weekly: { fri: ⟨"8-12" } } }\n', 'schedules.s.weekly.fri', /^"8-12" is not a time range; write "HH:MM-HH:MM" in 24-hour time, e\.g\. "08:00-18:00", or "22:00-06:00" to run past midnight$/),
  withBase('empty time range', 'schedules: { s: { tz: UTC, weekly: { fri: ⟨"08:00-08:00" } } }\n', 'schedules.s.weekly.fri', /^"08:00-08:00" starts and ends at the same time; for the whole day write "00:00-24:00"$/),
  withBase('a day given twice', 'schedules: { s: { tz: UTC, weekly: { mon-fri: "08:00-18:00", fri: ⟨"08:00-12:00" } } }\n', 'schedules.s.weekly.fri', /^fri is already given by "mon-fri"; give each day once/),
  withBase('bad day name', 'schedules: { s: { tz: UTC, weekly: { ⟨funday: "08:00-18:00" } } }\n', 'schedules.s.weekly.funday', /^"funday" is not a day or day range; use mon, tue, wed, thu, fri, sat, sun, a range such as "mon-fri", or "daily"$/),
  withBase('bad time zone, with a suggestion', 'schedules: { s: { tz: ⟨Europe/Berln } }\n', 'schedules.s.tz', /^"Europe\/Berln" is not an IANA time zone \(did you mean "Europe\/Berlin"\?\); write a name such as "Europe\/Berlin"/),
  withBase('a fixed offset instead of a zone', 'schedules: { s: { tz: ⟨"+01:00" } }\n', 'schedules.s.tz', /^"\+01:00" is not an IANA time zone/),
  withBase('impossible holiday date', 'schedules: { s: { tz: UTC, holidays: [⟨2026-02-30] } }\n', 'schedules.s.holidays[0]', /^"2026-02-30" is not a date; write "YYYY-MM-DD", e\.g\. "2026-12-25"$/),
  withBase('holiday rule with a bad month', 'schedules: { s: { tz: UTC, holidays: [{ rrule: ⟨"FREQ=YEARLY;BYMONTH=13" }] } }\n', 'schedules.s.holidays[0].rrule', /^"FREQ=YEARLY;BYMONTH=13": BYMONTH values must be 1 to 12$/),
  withBase('holiday rule finer than a day', 'schedules: { s: { tz: UTC, holidays: [{ rrule: ⟨"FREQ=HOURLY" }] } }\n', 'schedules.s.holidays[0].rrule', /FREQ=HOURLY is finer than a day/),
  withBase('holiday rule that is not an RRULE', 'schedules: { s: { tz: UTC, holidays: [{ rrule: ⟨"every christmas" }] } }\n', 'schedules.s.holidays[0].rrule', /an RRULE needs FREQ/),
  withBase('holiday rule that never happens', 'schedules: { s: { tz: UTC, holidays: [{ rrule: ⟨"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30" }] } }\n', 'schedules.s.holidays[0].rrule', /this rule never produces a date$/),
  withBase('exception ending before it starts', 'schedules: { s: { tz: UTC, exceptions: [{ closed: { from: 2026-03-02T14:00, to: ⟨2026-03-02T12:00 } }] } }\n', 'schedules.s.exceptions[0].closed.to', /^the interval ends \(2026-03-02T12:00\) before it starts \(2026-03-02T14:00\)$/),
  withBase('exception with both open and closed', 'schedules: { s: { tz: UTC, exceptions: [⟨{ open: 2026-03-02, closed: 2026-03-03 }] } }\n', 'schedules.s.exceptions[0]', /^an exception has exactly one of `open` or `closed`$/),
  withBase('unknown queue, listing the defined queues', 'routes: [{ name: r, then: { queue: ⟨suport } }]\n', 'routes[0].then.queue', /^unknown queue "suport" \(did you mean "support"\?\); defined queues: support$/),
  withBase('unknown agent in a queue', 'queues: { q: { members: [alice, ⟨bobb] } }\n', 'queues.q.members[1]', /^unknown agent "bobb" \(did you mean "bob"\?\); defined agents: alice, bob$/),
  withBase('unknown schedule', 'routes: [{ name: r, match: { schedule: { not: ⟨hourz } }, then: { reject: 404 } }]\n', 'routes[0].match.schedule.not', /^unknown schedule "hourz" \(did you mean "hours"\?\); defined schedules: hours$/),
  withBase('unknown voicemail box when none is close', 'routes: [{ name: r, then: { voicemail: ⟨sales } }]\n', 'routes[0].then.voicemail', /^unknown voicemail box "sales"; defined voicemail boxes: general$/),
  withBase('unknown IVR menu when none are defined', 'routes: [{ name: r, then: { ivr: ⟨main } }]\n', 'routes[0].then.ivr', /^unknown IVR menu "main"; no IVR menus are defined$/),
  withBase('unknown trunk in a match', 'routes: [{ name: r, match: { trunk: [carrier-in, ⟨carrier-x] }, then: { reject: 404 } }]\n', 'routes[0].match.trunk[1]', /^unknown trunk "carrier-x" \(did you mean "carrier-in"\?\); defined trunks: carrier-in, carrier-out$/),
  withBase('unknown user as a ring target', 'routes: [{ name: r, then: { ring: ⟨alise } }]\n', 'routes[0].then.ring', /^unknown user "alise" \(did you mean "alice"\?\); a target is a user name \(defined users: alice, bob\), a "sip:" URI, or \{ number, trunk \}$/),
  withBase('a number target without a trunk', 'routes: [{ name: r, then: { ring: ⟨"+14155550123" } }]\n', 'routes[0].then.ring', /looks like a number; a number is dialled through a trunk: write \{ number: "\+14155550123", trunk: NAME \}$/),
  withBase('a number target through an inbound-only trunk', 'routes: [{ name: r, then: { forward: { to: { number: "+14155550123", trunk: ⟨carrier-in } } } }]\n', 'routes[0].then.forward.to.trunk', /^trunk "carrier-in" has no outbound section, so calls cannot be sent through it; trunks with outbound gateways: carrier-out$/),
  withBase('a number that is not E.164', 'routes: [{ name: r, then: { ring: { targets: [{ number: ⟨"0301234", trunk: carrier-out }] } } }]\n', 'routes[0].then.ring.targets[0].number', /^"0301234" is not an E\.164 number; write "\+" and 2 to 15 digits/),
  withBase('bad SIP URI target', 'routes: [{ name: r, then: { ring: ⟨"sip:bob@" } }]\n', 'routes[0].then.ring', /^"sip:bob@" is not a SIP URI/),
  withBase('duplicate route names', 'routes:\n  - { name: r, then: { reject: 404 } }\n  - { name: ⟨r, then: { reject: 486 } }\n', 'routes[1].name', /^route name "r" is already used by routes\[0\]; route names must be unique$/),
  withBase('bad route name', 'routes: [{ name: ⟨"my route", then: { reject: 404 } }]\n', 'routes[0].name', /^"my route" is not a valid name; use 1 to 64 letters, digits, "_", "\." or "-"/),
  withBase('bad entry name', 'users: { ⟨"al ice": { password: alice-secret } }\n', 'users["al ice"]', /^"al ice" is not a valid name/),
  withBase('a step with two actions', 'routes: [{ name: r, then: ⟨{ reject: 404, voicemail: general } }]\n', 'routes[0].then', /^a step has exactly one action, found voicemail and reject; give each its own list item$/),
  withBase('a step with no action', 'routes: [{ name: r, then: ⟨{ continue_on: [busy] } }]\n', 'routes[0].then', /^a step needs one action: ring, forward, voicemail, ivr, play, reject, queue, follow_the_sun$/),
  withBase('a media file outside media.files', 'ivr: { m: { prompt: ⟨/etc/x.wav, options: { "1": { reject: 486 } } } }\nroutes: [{ name: r, then: { ivr: m } }]\n', 'ivr.m.prompt', /^"\/etc\/x\.wav" is not inside media\.files; give a path relative to media\.files \(e\.g\. "prompts\/closed\.wav"\), without "\.\.", and copy the file there$/),
  withBase('a media file climbing out of media.files', 'routes: [{ name: r, then: [{ play: ⟨../x.wav }, { reject: 486 }] }]\n', 'routes[0].then[0].play', /is not inside media\.files/),
  withBase('a play step with no file', 'routes: [{ name: r, then: [{ play: ⟨[] }, { voicemail: general }] }]\n', 'routes[0].then[0].play', /^must not be an empty list$/),
  withBase('a step that can never run', 'routes: [{ name: r, then: [{ queue: support }, ⟨{ voicemail: general }] }]\n', 'routes[0].then[1]', /^this step can never run: the queue step before it never hands the call on \(use the queue's on_full and on_timeout for overflow\)$/),
  withBase('continue_on where it has no effect', 'routes: [{ name: r, then: { reject: 486, continue_on: ⟨[busy] } }]\n', 'routes[0].then.continue_on', /^continue_on has no effect on a reject step; a reject step never hands the call on$/),
  withBase('unknown continue_on outcome', 'routes: [{ name: r, then: { ring: alice, continue_on: [⟨noanswer] } }]\n', 'routes[0].then.continue_on[0]', /^"noanswer" is not allowed \(did you mean "no_answer"\?\); use one of: busy, no_answer, unavailable, failure$/),
  withBase('reject with an authentication challenge status', 'routes: [{ name: r, then: { reject: ⟨401 } }]\n', 'routes[0].then.reject', /^401 is an authentication challenge and needs a challenge header; use 403 to refuse a caller$/),
  withBase('reject with a status outside 400-699', 'routes: [{ name: r, then: { reject: ⟨200 } }]\n', 'routes[0].then.reject', /^must be at least 400, got 200$/),
  withBase('two number conditions at once', 'routes: [{ name: r, match: { to: ⟨{ prefix: "+1", exact: "+1800" } }, then: { reject: 404 } }]\n', 'routes[0].match.to', /^give only one of exact and prefix; use separate rules to combine$/),
  withBase('an unquoted number in a match, with a quoting hint', 'routes: [{ name: r, match: { to: ⟨18005550100 }, then: { reject: 404 } }]\n', 'routes[0].match.to', /^expected text or a mapping, got the number 18005550100; put it in quotes: "18005550100"$/),
  withBase('invalid regular expression', 'routes: [{ name: r, match: { to: { pattern: ⟨"^(1" } }, then: { reject: 404 } }]\n', 'routes[0].match.to.pattern', /^"\^\(1" is not a valid regular expression/),
  withBase('invalid header name', 'routes: [{ name: r, match: { header: { ⟨"X Tier": gold } }, then: { reject: 404 } }]\n', 'routes[0].match.header["X Tier"]', /^"X Tier" is not a SIP header name/),
  withBase(
    'nested follow_the_sun',
    'routes:\n  - name: r\n    then:\n      follow_the_sun:\n        sites:\n          - name: a\n            schedule: hours\n            then: { ⟨follow_the_sun: { sites: [], fallback: { reject: 404 } } }\n        fallback: { reject: 404 }\n',
    'routes[0].then.follow_the_sun.sites[0].then.follow_the_sun',
    /^follow_the_sun cannot be nested inside a site or fallback of another follow_the_sun$/,
  ),
  withBase('a follow-the-sun site named twice', 'routes: [{ name: r, then: { follow_the_sun: { sites: [{ name: a, schedule: hours, then: { reject: 404 } }, { name: ⟨a, schedule: hours, then: { reject: 486 } }], fallback: { reject: 480 } } } }]\n', 'routes[0].then.follow_the_sun.sites[1].name', /^site name "a" is used twice/),
  withBase('a relaxation stage stricter than the one before', 'queues: { q: { members: [alice], skills: { need: { en: 2 }, relax: [{ after: 60s, need: { en: ⟨3 } }] } } }\n', 'queues.q.skills.relax[0].need.en', /^a relaxed stage may only lower or drop requirements; en >= 3 is stricter than the stage before \(en >= 2\)$/),
  withBase('relaxation stages out of order', 'queues: { q: { members: [alice], skills: { need: { en: 3 }, relax: [{ after: 60s, need: { en: 2 } }, { after: ⟨30s, need: { en: 1 } }] } } }\n', 'queues.q.skills.relax[1].after', /^relaxation stages must come in increasing order of `after`$/),
  withBase('a queue no member could serve', 'queues: { fr: { members: [alice, bob], skills: { need: ⟨{ fr: 1 } } } }\n', 'queues.fr.skills.need', /^no member of queue "fr" has fr >= 1, so its callers could never be served/),
  withBase('queue overflow that loops back', 'queues: { a: { members: [alice], on_full: { queue: b } }, b: { members: [bob], on_timeout: ⟨{ queue: a } } }\n', 'queues.b.on_timeout', /^queue overflow loops back: a -> b -> a; end the overflow with voicemail, an IVR menu, a ring step or reject$/),
  withBase('agent without a user', 'agents: { alice: {}, bob: {}, ⟨carol: { skills: { en: 1 } } }\n', 'agents.carol', /^agent "carol" has no user to ring: add `user: NAME` or define users\.carol$/),
  withBase('two agents on one user', 'agents: { alice: {}, bob: {}, ⟨carol: { user: alice } }\n', 'agents.carol', /^user "alice" is already agent "alice"'s user; each agent needs its own user$/),
  withBase('a user with neither password nor contacts', 'users: { alice: { password: alice-secret }, bob: ⟨{ display_name: Bob } }\n', 'users.bob', /^a user needs a `password` \(to register\), static `contacts`, or both$/),
  withBase('a password too short', 'users: { alice: { password: ⟨abc }, bob: { password: bob-secret } }\n', 'users.alice.password', /^must be at least 8 characters long$/),
  withBase('a CIDR with host bits set', 'trunks: { t: { inbound: { sources: [⟨10.1.2.3/8] } } }\n', 'trunks.t.inbound.sources[0]', /^"10\.1\.2\.3\/8" has host bits set; the network is 10\.0\.0\.0\/8; write an address or a network/),
  withBase('an address that is not one', 'trunks: { t: { inbound: { sources: [⟨"2001:db8::g/32"] } } }\n', 'trunks.t.inbound.sources[0]', /^"2001:db8::g" is not an IPv4 or IPv6 address/),
  withBase('a source shared by two trunks', 'trunks: { a: { inbound: { sources: [127.0.0.2] } }, t: { inbound: { sources: [⟨127.0.0.2/32] } } }\n', 'trunks.t.inbound.sources[0]', /^127\.0\.0\.2\/32 is also a source of trunk "a"; a source must identify one trunk/),
  withBase('a trunk digest username that is also a user', 'trunks: { t: { inbound: { digest: { username: ⟨alice, password: long-enough } } } }\n', 'trunks.t.inbound.digest.username', /^username "alice" is also a user's name; a digest username must identify either a user or a trunk$/),
  withBase('a trunk with neither direction', 'trunks: { t: ⟨{} }\n', 'trunks.t', /^a trunk needs `inbound`, `outbound`, or both$/),
  withBase('inbound with no way to recognise the trunk', 'trunks: { t: { inbound: ⟨{ max_calls: 5 } } }\n', 'trunks.t.inbound', /^inbound needs `sources`, `digest`, or both, to recognise the trunk$/),
  withBase('a listen address with a host name', 'sip: { listen: [⟨udp:localhost:5060] }\n', 'sip.listen[0]', /^"udp:localhost:5060" is not a listen address; write "udp:IP:PORT" or "tcp:IP:PORT"/),
  withBase('a listen address given twice', 'sip: { listen: [udp:127.0.0.1:5060, ⟨udp:127.0.0.1:5060] }\n', 'sip.listen[1]', /^udp:127\.0\.0\.1:5060 is listed twice$/),
  withBase('t2 shorter than t1', 'sip: { timers: { t1: 2s, t2: ⟨1s } }\n', 'sip.timers.t2', /^t2 must not be shorter than t1 \(RFC 3261 section 17\)$/),
  withBase('admin API off loopback without a token', 'admin: ⟨{ listen: "0.0.0.0:8080" }\n', 'admin.token', /^a token is required because the admin API listens on 0\.0\.0\.0:8080, which is not loopback$/),
  withBase('control port off loopback without a secret', 'sip: { control: ⟨{ listen: "[::]:9022" } }\n', 'sip.control.secret', /^a secret is required because the control port listens on \[::\]:9022, which is not loopback$/),
  withBase('external drachtio without host', 'sip: { drachtio: ⟨{ mode: external, secret: s } }\n', 'sip.drachtio.host', /^mode external needs the drachtio-server host$/),
  withBase('rtpengine port range upside down', 'media: { rtpengine: { port_min: 40000, port_max: ⟨30000 } }\n', 'media.rtpengine.port_max', /^port_max \(30000\) must not be below port_min \(40000\)$/),
  withBase('IVR option key that is not a DTMF key', 'ivr: { m: { prompt: m.wav, options: { ⟨"12": { voicemail: general } } } }\n', 'ivr.m.options.12', /^"12" is not a DTMF key; use one of 0-9, "\*" or "#"/),
  withBase('an IVR menu without options', 'ivr: { m: { prompt: m.wav, options: ⟨{} } }\n', 'ivr.m.options', /^a menu needs at least one option$/),
];

describe('validation errors: every message, with file:line:column', () => {
  it.each(cases)('$name', ({ text, line, column, path, message }) => {
    const issues = issuesOf(text);
    const hit = issues.find((i) => i.path === path);
    expect(hit, `no issue at ${path}; got:\n${issues.map(formatIssue).join('\n')}`).toBeDefined();
    expect(hit!.message).toMatch(message);
    expect({ line: hit!.line, column: hit!.column }).toEqual({ line, column });
    expect(hit!.file).toBe('test.yaml');
  });

  it('BASE itself is valid, so each case fails only for its own reason', () => {
    expect(() => parseConfig(BASE, 'base.yaml')).not.toThrow();
  });
});

describe('reporting', () => {
  it('reports every error in one pass, in file order', () => {
    const issues = issuesOf(yaml`
      sip: { max_message_size: big }
      queues: { q: { members: [nobody], max_wait: soon } }
      routes: [{ name: r, then: { queue: missing } }]
    `);
    expect(issues.map((i) => `${i.line}:${i.column} ${i.path}`)).toEqual([
      '1:26 sip.max_message_size',
      '2:26 queues.q.members[0]',
      '2:45 queues.q.max_wait',
      '3:36 routes[0].then.queue',
    ]);
  });

  it('formats issues as FILE:LINE:COLUMN: path: message', () => {
    const [issue] = issuesOf('log: { level: loud }\n', 'conf/switchboard.yaml');
    expect(formatIssue(issue!)).toBe(
      'conf/switchboard.yaml:1:15: log.level: "loud" is not allowed; use one of: fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('throws SwitchboardError SB_CONFIG_INVALID carrying the structured issues', () => {
    let caught: unknown;
    try {
      parseConfig('log: { level: loud }\n', 'x.yaml');
    } catch (err) {
      caught = err;
    }
    expect(isSwitchboardError(caught, 'SB_CONFIG_INVALID')).toBe(true);
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues).toEqual([
      expect.objectContaining({ file: 'x.yaml', line: 1, column: 15, path: 'log.level' }),
    ]);
    expect((caught as ConfigError).message).toBe(formatIssue((caught as ConfigError).issues[0]!));
  });

  it.each([
    ['unclosed flow sequence', 'routes: [\n  { name: a }\nlog: {}\n', 3, /^YAML syntax error: /],
    ['duplicate key', 'log: {}\nsip: {}\nlog: {}\n', 3, /^this key appears twice in the same mapping; keep one$/],
    ['tab indentation', 'sip:\n\tlisten: []\n', 2, /tab/i],
  ])('YAML syntax errors carry their position: %s', (_name, text, line, message) => {
    const issues = issuesOf(text);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.line).toBe(line);
    expect(issues[0]!.message).toMatch(message);
  });

  it('refuses an empty file and a top level that is not a mapping', () => {
    expect(issuesOf('')[0]).toMatchObject({ line: 1, column: 1, message: expect.stringMatching(/^the file is empty; a configuration is a mapping of sections/) });
    expect(issuesOf('- a\n- b\n')[0]!.message).toMatch(/^the top level is not a mapping/);
  });

  it('stops alias bombs instead of expanding them', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    expect(issuesOf(`${lines.join('\n')}\n`)[0]!.message).toMatch(/^the document cannot be read/);
  });
});
