/**
 * The validation messages validation-errors.test.ts does not reach: every message the
 * schema and the cross-checks can produce is exercised by one of the two tables.
 *
 * A case is YAML with a ⟨ marking the exact line and column the error must point at; the
 * case's own sections come first and replace the base sections of the same name.
 *
 * @example
 *   at('PIN too short', 'voicemail: { box: { pin: ⟨"12" } }', 'voicemail.box.pin', /^a PIN is 4 to 12 digits/)
 */
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../../src/config/issues.js';
import { parseConfig } from '../../../src/config/load.js';
import { issuesOf, withBase, type Case } from './helpers.js';

/** Each case's own sections come first; the shared base fills in the rest (helpers.ts). */
const at = withBase;

const ring = (target: string) => `routes: [{ name: r, then: { ring: { targets: [${target}] } } }]`;
const holiday = (rrule: string) => `schedules: { s: { tz: UTC, holidays: [{ rrule: ⟨"${rrule}" }] } }`;
const RRULE_PATH = 'schedules.s.holidays[0].rrule';

const cases: Case[] = [
  // Targets, steps and matches.
  at('a target mapping with no kind', ring('⟨{ timeout: 10s }'), 'routes[0].then.ring.targets[0]', /^a target needs one of user, uri or number$/),
  at('a target mapping with two kinds', ring('⟨{ user: alice, uri: "sip:a@127.0.0.1" }'), 'routes[0].then.ring.targets[0]', /^a target has exactly one of user, uri or number; found user and uri$/),
  at('a number target without a trunk', ring('⟨{ number: "+14155550123" }'), 'routes[0].then.ring.targets[0]', /^a number target needs `trunk`: the trunk that dials it$/),
  at('a trunk on a user target', ring('{ user: alice, trunk: ⟨carrier-out }'), 'routes[0].then.ring.targets[0].trunk', /^`trunk` only applies to a number target$/),
  at('a bad SIP URI in a target mapping', ring('{ uri: ⟨"sip:bob@" }'), 'routes[0].then.ring.targets[0].uri', /^"sip:bob@" is not a SIP URI; write "sip:\[user@\]host\[:port\]\[;params\]"$/),
  at('a number target through an unknown trunk', ring('{ number: "+14155550123", trunk: ⟨carrier-x }'), 'routes[0].then.ring.targets[0].trunk', /^unknown trunk "carrier-x" \(did you mean "carrier-in"\?\); defined trunks: carrier-in, carrier-out$/),
  at('an empty reason phrase', 'routes: [{ name: r, then: { reject: { status: 486, reason: ⟨"" } } }]', 'routes[0].then.reject.reason', /^must not be empty$/),
  at('continue_on on a queue step', 'routes: [{ name: r, then: { queue: support, continue_on: ⟨[busy] } }]', 'routes[0].then.continue_on', /^continue_on has no effect on a queue step; the queue's on_full and on_timeout decide what happens next$/),
  at(
    'continue_on on a follow_the_sun step',
    'routes: [{ name: r, then: { follow_the_sun: { sites: [{ name: a, schedule: hours, then: { reject: 404 } }], fallback: { reject: 480 } }, continue_on: ⟨[busy] } }]',
    'routes[0].then.continue_on',
    /^continue_on has no effect on a follow_the_sun step; put continue_on on the steps inside the sites' chains$/,
  ),
  at('continue_on on an IVR step', 'routes: [{ name: r, then: { ivr: m, continue_on: ⟨[busy] } }]\nivr: { m: { prompt: m.wav, options: { "1": { voicemail: general } } } }', 'routes[0].then.continue_on', /^continue_on has no effect on an ivr step; an ivr step never hands the call on$/),
  at('a number prefix with punctuation', 'routes: [{ name: r, match: { to: { prefix: ⟨"+1-800" } }, then: { reject: 404 } }]', 'routes[0].match.to.prefix', /^"\+1-800" is not a number prefix; write digits, optionally after "\+", e\.g\. "\+1800" or "1"$/),
  at('a number condition with no kind', 'routes: [{ name: r, match: { to: ⟨{} }, then: { reject: 404 } }]', 'routes[0].match.to', /^give one of exact, prefix or pattern$/),
  at('a header condition with pattern and present', 'routes: [{ name: r, match: { header: { X-Tier: ⟨{ pattern: gold, present: true } } }, then: { reject: 404 } }]', 'routes[0].match.header.X-Tier', /^give exactly one of pattern or present$/),
  at('text where true or false belongs', 'routes: [{ name: r, match: { header: { X-Tier: { present: ⟨maybe } } }, then: { reject: 404 } }]', 'routes[0].match.header.X-Tier.present', /^expected true or false, got the text "maybe"$/),

  // Queues, agents, voicemail.
  at('an agent listed twice in a queue', 'queues: { q: { members: [alice, bob, ⟨alice] } }', 'queues.q.members[2]', /^agent "alice" is listed twice$/),
  at('a callback key that is not one DTMF digit', 'queues: { q: { members: [alice], callback: { digit: ⟨"12" } } }', 'queues.q.callback.digit', /^"12" is not a DTMF digit; use one of 0-9, \* or # \(in quotes\)$/),
  at('a bad skill name', 'agents: { alice: { skills: { ⟨"e n": 5 } }, bob: {} }', 'agents.alice.skills["e n"]', /^"e n" is not a skill name; use letters, digits, "_", "\." or "-"$/),
  at('a PIN too short', 'voicemail: { box: { pin: ⟨"12" } }', 'voicemail.box.pin', /^a PIN is 4 to 12 digits, in quotes, e\.g\. "4321"$/),

  // Schedules and holiday rules.
  at('an exception time with a space', 'schedules: { s: { tz: UTC, exceptions: [{ closed: { from: ⟨"2026-03-02 12:00", to: 2026-03-02T14:00 } }] } }', 'schedules.s.exceptions[0].closed.from', /^"2026-03-02 12:00" is not a local date or date-time; write "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" without an offset \(the schedule's time zone applies\)$/),
  at('a holiday with neither date nor rule', 'schedules: { s: { tz: UTC, holidays: [⟨{ name: Christmas }] } }', 'schedules.s.holidays[0]', /^a holiday has exactly one of `date` or `rrule`$/),
  at('a start on a fixed-date holiday', 'schedules: { s: { tz: UTC, holidays: [{ date: 2026-12-25, start: ⟨2026-01-01 }] } }', 'schedules.s.holidays[0].start', /^`start` only applies to an `rrule` holiday$/),
  at('a holiday rule with a time of day', holiday('FREQ=YEARLY;BYHOUR=9'), RRULE_PATH, /^"FREQ=YEARLY;BYHOUR=9": BYHOUR is not allowed: a holiday is a whole day$/),
  at('a holiday rule with its own DTSTART', holiday('FREQ=YEARLY;DTSTART=20260101'), RRULE_PATH, /: DTSTART is not allowed: a holiday is a whole day \(use `start`\)$/),
  at('a holiday rule with a day of month out of range', holiday('FREQ=MONTHLY;BYMONTHDAY=32'), RRULE_PATH, /: BYMONTHDAY values must be 1 to 31 or -31 to -1$/),
  at('a holiday rule over two lines', holiday('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25\\nFREQ=DAILY'), RRULE_PATH, /: write only the RRULE value \(e\.g\. "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25"\), on one line$/),
  at('a holiday rule with an unknown part', holiday('FREQ=YEARLY;FOO=1'), RRULE_PATH, /: not a valid RRULE \(Unknown RRULE property 'FOO'\)$/),
  at('a holiday rule with INTERVAL that is not a number', holiday('FREQ=YEARLY;INTERVAL=x'), RRULE_PATH, /: INTERVAL=x is not valid; INTERVAL takes a whole number from 1 to 9999, e\.g\. INTERVAL=2$/),
  at('a holiday rule with a negative INTERVAL', holiday('FREQ=YEARLY;INTERVAL=-1'), RRULE_PATH, /: INTERVAL=-1 is not valid; INTERVAL takes a whole number/),
  at('a holiday rule with an empty INTERVAL', holiday('FREQ=YEARLY;INTERVAL='), RRULE_PATH, /: INTERVAL= is not valid; INTERVAL takes a whole number/),
  at('a holiday rule with COUNT that is not a number', holiday('FREQ=YEARLY;COUNT=x'), RRULE_PATH, /: COUNT=x is not valid; COUNT takes a whole number from 1 to 9999, e\.g\. COUNT=5$/),
  at('a holiday rule with a word in a month list', holiday('FREQ=YEARLY;BYMONTH=1,x'), RRULE_PATH, /: BYMONTH=1,x is not valid; BYMONTH takes whole numbers separated by commas, e\.g\. BYMONTH=6,12$/),
  at('a holiday rule with a bad weekday', holiday('FREQ=YEARLY;BYDAY=XX'), RRULE_PATH, /: BYDAY=XX is not valid; BYDAY takes weekdays in capitals separated by commas, each with an optional week number, e\.g\. BYDAY=MO,TU or BYDAY=4TH or BYDAY=-1MO$/),
  at('a holiday rule with a weekday in lower case', holiday('FREQ=WEEKLY;BYDAY=sa'), RRULE_PATH, /: BYDAY=sa is not valid; BYDAY takes weekdays in capitals/),
  at('a holiday rule with a bad week start', holiday('FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1;WKST=XX'), RRULE_PATH, /: WKST=XX is not valid; WKST takes one weekday in capitals, e\.g\. WKST=MO$/),
  at('a holiday rule with an ISO date as UNTIL', holiday('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;UNTIL=2027-12-31'), RRULE_PATH, /: UNTIL=2027-12-31 is not valid; UNTIL takes a date written YYYYMMDD, e\.g\. UNTIL=20271231$/),

  // Numbering.
  at('a country code with "+"', 'numbering: { country_code: ⟨"+49" }', 'numbering.country_code', /^"\+49" is not a country calling code; write 1 to 3 digits without "\+", e\.g\. "1" or "49"$/),
  at('an international prefix that is not digits', 'numbering: { country_code: "49", international_prefix: ⟨"+" }', 'numbering.international_prefix', /^"\+" is not an international prefix; write 1 to 4 digits, e\.g\. "00" or "011"$/),
  at('a national prefix too long', 'numbering: { country_code: "49", national_prefix: ⟨"00000" }', 'numbering.national_prefix', /^"00000" is not a national prefix; write up to 4 digits, e\.g\. "0", "1", or "" for none$/),

  // Trunks, SIP, registrar, admin.
  at('one digest username for two trunks', 'trunks: { a: { inbound: { digest: { username: carrier, password: long-enough } } }, b: { inbound: { digest: { username: ⟨carrier, password: long-enough } } } }', 'trunks.b.inbound.digest.username', /^username "carrier" is also trunk "a"'s; digest usernames must identify one trunk$/),
  at('a rate that must be above zero', 'trunks: { t: { inbound: { sources: [10.0.0.1], max_cps: ⟨0 } } }', 'trunks.t.inbound.max_cps', /^must be more than 0, got 0$/),
  at('a rate above the maximum', 'trunks: { t: { inbound: { sources: [10.0.0.1], max_cps: ⟨200000 } } }', 'trunks.t.inbound.max_cps', /^must be at most 100000, got 200000$/),
  at('a prefix length out of range', 'trunks: { t: { inbound: { sources: [⟨10.0.0.0/33] } } }', 'trunks.t.inbound.sources[0]', /^prefix length "\/33" must be a whole number from 0 to 32; write an address or a network such as "203\.0\.113\.0\/24" or "2001:db8::\/32"$/),
  at('a gateway that is not a SIP URI', 'trunks: { t: { outbound: { gateways: [⟨"sip:"] } } }', 'trunks.t.outbound.gateways[0]', /^"sip:" is not a SIP URI; write "sip:\[user@\]host\[:port\]\[;params\]", e\.g\. "sip:127\.0\.0\.1:5080" or "sip:alice@127\.0\.0\.1:5070;transport=tcp"$/),
  at('a duration finer than a millisecond', 'sip: { timers: { t1: ⟨1.5ms } }', 'sip.timers.t1', /^"1\.5ms" is finer than a millisecond; use whole milliseconds$/),
  at('a drachtio host that is no host', 'sip: { drachtio: { mode: external, host: ⟨"bad host!", secret: s } }', 'sip.drachtio.host', /^"bad host!" is not a host name or IP address$/),
  at('external drachtio without a secret', 'sip: { drachtio: ⟨{ mode: external, host: 127.0.0.1 } }', 'sip.drachtio.secret', /^mode external needs the drachtio-server's secret$/),
  at('an admin address with a host name', 'admin: { listen: ⟨"localhost:8080" }', 'admin.listen', /^"localhost:8080" is not an address and port; write "IP:PORT", e\.g\. "127\.0\.0\.1:8080" or "\[::1\]:8080" \(no host names, port 1-65535\)$/),
  at('registrations that may not last as long as the shortest', 'registrar: { min_expires: 10m, max_expires: ⟨5m }', 'registrar.max_expires', /^max_expires must not be shorter than min_expires$/),
  at('a default registration outside the limits', 'registrar: { min_expires: 1m, max_expires: 10m, default_expires: ⟨1h }', 'registrar.default_expires', /^default_expires must lie between min_expires and max_expires$/),

  // YAML itself.
  at('a tab indenting YAML', 'sip:\n⟨\tlisten: []', '', /^tabs cannot indent YAML; use spaces$/),
];

describe('more validation errors: the rest of the messages, with file:line:column', () => {
  it.each(cases)('$name', ({ text, line, column, path, message }) => {
    const issues = issuesOf(text);
    const hit = issues.find((i) => i.path === path);
    expect(hit, `no issue at ${path}; got:\n${issues.map(formatIssue).join('\n')}`).toBeDefined();
    expect(hit!.message).toMatch(message);
    expect({ line: hit!.line, column: hit!.column }).toEqual({ line, column });
  });

  it.each([
    'FREQ=YEARLY;INTERVAL=2;BYMONTH=6;BYMONTHDAY=1',
    'FREQ=YEARLY;COUNT=3;BYMONTH=1;BYMONTHDAY=1',
    'FREQ=MONTHLY;BYDAY=1MO,-1FR',
    'FREQ=WEEKLY;WKST=SU;BYDAY=SA,SU',
    'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;UNTIL=20301231',
    'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25;UNTIL=20301231T000000Z',
    'FREQ=YEARLY;BYYEARDAY=-1',
  ])('accepts the well-formed holiday rule %s', (rrule) => {
    expect(() => parseConfig(`schedules: { s: { tz: UTC, holidays: [{ rrule: "${rrule}" }] } }\n`, 'ok.yaml')).not.toThrow();
  });
});
