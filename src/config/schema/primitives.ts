/**
 * Building blocks for the configuration schema: strict mappings whose unknown keys get
 * "did you mean" messages, durations with units, names, references to other sections,
 * time ranges, dates, time zones, addresses and SIP URIs. Every refusal is a sentence
 * saying what is wrong and what is allowed.
 *
 * @example
 *   const timers = mapping({ t1: duration('RFC 3261 T1.').prefault('500ms') }, 'SIP timers.');
 *   timers.parse({ t1: '1s' }); // { t1: 1000 }
 */
import { IANAZone } from 'luxon';
import * as z from 'zod';
import { parseCidr, parseIp } from '../../routing/ip-address.js';
import { DURATION_PATTERN, formatDuration, parseDuration } from '../duration.js';
import { didYouMean } from '../suggest.js';

/** Sections whose entries other sections refer to by name. */
export type RefKind = 'users' | 'agents' | 'queues' | 'schedules' | 'ivr' | 'voicemail' | 'trunks';

/** The names each section defines, collected from the raw document before validation. */
export interface KnownNames {
  readonly users: ReadonlySet<string>;
  readonly agents: ReadonlySet<string>;
  readonly queues: ReadonlySet<string>;
  readonly schedules: ReadonlySet<string>;
  readonly ivr: ReadonlySet<string>;
  readonly voicemail: ReadonlySet<string>;
  readonly trunks: ReadonlySet<string>;
  /** Trunks with an `outbound` section: the only ones a call can be sent to. */
  readonly outboundTrunks: ReadonlySet<string>;
}

/**
 * What the schema builders need from the document being validated. Without `names`
 * (when generating the JSON Schema) references are checked for form only.
 */
export interface SchemaContext {
  readonly names?: KnownNames;
}

const REF_LABEL: Record<RefKind, { one: string; many: string }> = {
  users: { one: 'user', many: 'users' },
  agents: { one: 'agent', many: 'agents' },
  queues: { one: 'queue', many: 'queues' },
  schedules: { one: 'schedule', many: 'schedules' },
  ivr: { one: 'IVR menu', many: 'IVR menus' },
  voicemail: { one: 'voicemail box', many: 'voicemail boxes' },
  trunks: { one: 'trunk', many: 'trunks' },
};

/** Separates per-key lines in an unknown-keys message; see `splitUnknownKeys`. */
const KEY_LINE_SEPARATOR = '\n';

function unknownKeysMessage(keys: readonly string[], allowed: readonly string[], hints: Readonly<Record<string, string>>): string {
  return keys
    .map(
      (key) =>
        hints[key] ?? `unknown key ${JSON.stringify(key)}${didYouMean(key, allowed)}; allowed keys: ${allowed.join(', ')}`,
    )
    .join(KEY_LINE_SEPARATOR);
}

/** One message per unknown key, in the order zod listed the keys. */
export function splitUnknownKeys(message: string): string[] {
  return message.split(KEY_LINE_SEPARATOR);
}

/**
 * A mapping that refuses keys it does not define. `hints` replaces the generic message
 * for keys that people are known to put in the wrong place.
 */
export function mapping<S extends z.ZodRawShape>(shape: S, description: string, hints: Readonly<Record<string, string>> = {}) {
  const allowed = Object.keys(shape);
  return z
    .strictObject(shape, {
      error: (iss) => (iss.code === 'unrecognized_keys' ? unknownKeysMessage(iss.keys, allowed, hints) : undefined),
    })
    .describe(description);
}

/** A user-facing description of an arbitrary raw value, for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return typeof value;
}

function inputText(iss: { input?: unknown }): string {
  return typeof iss.input === 'string' ? JSON.stringify(iss.input) : describeValue(iss.input);
}

/** A string matched against a pattern, with a message built from the offending input. */
export function patternString(re: RegExp, what: (input: string) => string) {
  return z.string().regex(re, { error: (iss) => what(typeof iss.input === 'string' ? iss.input : inputText(iss)) });
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A name for an entry of a section (a user, queue, schedule, …). */
export function name(description: string) {
  return patternString(
    NAME_PATTERN,
    (v) => `${JSON.stringify(v)} is not a valid name; use 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit`,
  ).describe(description);
}

/** A reference to an entry of another section, checked against the names that section defines. */
export function ref(ctx: SchemaContext, kind: RefKind, description: string) {
  const base = z.string();
  const names = ctx.names?.[kind];
  if (!names) return base.describe(description);
  return base
    .superRefine((value, c) => {
      if (names.has(value)) return;
      const label = REF_LABEL[kind];
      const defined = names.size === 0 ? `no ${label.many} are defined` : `defined ${label.many}: ${[...names].join(', ')}`;
      c.addIssue({ code: 'custom', message: `unknown ${label.one} ${JSON.stringify(value)}${didYouMean(value, names)}; ${defined}` });
    })
    .describe(description);
}

/** Checks that a string names a trunk that can send calls (has an `outbound` section). */
export function checkOutboundTrunk(ctx: SchemaContext, trunk: string, c: z.RefinementCtx, path: PropertyKey[]): void {
  const names = ctx.names;
  if (!names) return;
  if (!names.trunks.has(trunk)) {
    c.addIssue({
      code: 'custom',
      path,
      message: `unknown trunk ${JSON.stringify(trunk)}${didYouMean(trunk, names.trunks)}; ${
        names.trunks.size === 0 ? 'no trunks are defined' : `defined trunks: ${[...names.trunks].join(', ')}`
      }`,
    });
  } else if (!names.outboundTrunks.has(trunk)) {
    c.addIssue({
      code: 'custom',
      path,
      message: `trunk ${JSON.stringify(trunk)} has no outbound section, so calls cannot be sent through it; trunks with outbound gateways: ${[...names.outboundTrunks].join(', ') || 'none'}`,
    });
  }
}

/** A duration string ("500ms", "20s", "10m", "1h"), parsed to milliseconds. */
export function duration(description: string, limits: { min?: number; max?: number } = {}) {
  const advice = 'write a number followed by ms, s, m or h, e.g. "500ms", "20s", "10m", "1h"';
  return z
    .string({ error: (iss) => (iss.input === undefined ? undefined : `${inputText(iss)} is not a duration; ${advice}`) })
    .regex(new RegExp(DURATION_PATTERN), {
      error: (iss) => `${inputText(iss)} is not a duration; ${advice}`,
    })
    .transform((text, c) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        c.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is finer than a millisecond; use whole milliseconds` });
        return z.NEVER;
      }
      if (limits.min !== undefined && ms < limits.min) {
        c.addIssue({ code: 'custom', message: `${text} is too short; the minimum is ${formatDuration(limits.min)}` });
        return z.NEVER;
      }
      if (limits.max !== undefined && ms > limits.max) {
        c.addIssue({ code: 'custom', message: `${text} is too long; the maximum is ${formatDuration(limits.max)}` });
        return z.NEVER;
      }
      return ms;
    })
    .describe(description);
}

/** A whole number within bounds. */
export function integer(description: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z.number().int().min(min).max(max).describe(description);
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Minutes after local midnight; `end <= start` means the range runs past midnight into the next day. */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

const TIME_RANGE_RE = /^([01][0-9]|2[0-3]):([0-5][0-9])-(?:([01][0-9]|2[0-3]):([0-5][0-9])|(24):(00))$/;

/** "HH:MM-HH:MM" in 24-hour local time; "24:00" may end a range; ranges may wrap past midnight. */
export function timeRange(description: string) {
  return z
    .string()
    .regex(TIME_RANGE_RE, {
      error: (iss) =>
        `${inputText(iss)} is not a time range; write "HH:MM-HH:MM" in 24-hour time, e.g. "08:00-18:00", or "22:00-06:00" to run past midnight`,
    })
    .transform((text, c): TimeRange => {
      const m = TIME_RANGE_RE.exec(text)!;
      const start = Number(m[1]) * 60 + Number(m[2]);
      const end = m[5] === '24' ? 1440 : Number(m[3]) * 60 + Number(m[4]);
      if (start === end) {
        c.addIssue({
          code: 'custom',
          message: `${JSON.stringify(text)} starts and ends at the same time; for the whole day write "00:00-24:00"`,
        });
        return z.NEVER;
      }
      return { start, end };
    })
    .describe(description);
}

const DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATETIME_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([01][0-9]|2[0-3]):([0-5][0-9])$/;

function isCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** A calendar date "YYYY-MM-DD". */
export function localDate(description: string) {
  return z
    .string()
    .superRefine((text, c) => {
      const m = DATE_RE.exec(text);
      if (!m || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
        c.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a date; write "YYYY-MM-DD", e.g. "2026-12-25"` });
      }
    })
    .describe(description);
}

/**
 * A local date "YYYY-MM-DD" or local date and time "YYYY-MM-DDTHH:MM" (no offset: the
 * schedule's time zone applies), normalised to "YYYY-MM-DDTHH:MM". A bare date as the
 * end of a range means the end of that day.
 */
export function localDateTime(description: string, role: 'start' | 'end') {
  return z
    .string()
    .transform((text, c) => {
      const dt = DATETIME_RE.exec(text);
      const d = dt ?? DATE_RE.exec(text);
      if (!d || !isCalendarDate(Number(d[1]), Number(d[2]), Number(d[3]))) {
        c.addIssue({
          code: 'custom',
          message: `${JSON.stringify(text)} is not a local date or date-time; write "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" without an offset (the schedule's time zone applies)`,
        });
        return z.NEVER;
      }
      if (dt) return text;
      if (role === 'start') return `${text}T00:00`;
      const next = new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]) + 1));
      return `${next.toISOString().slice(0, 10)}T00:00`;
    })
    .describe(description);
}

let zoneNames: string[] | undefined;
function knownZones(): string[] {
  zoneNames ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  return zoneNames;
}

/** An IANA time zone name such as "Europe/Berlin". Fixed offsets are refused: they ignore daylight saving. */
export function timeZone(description: string) {
  return z
    .string()
    .superRefine((text, c) => {
      if (IANAZone.isValidZone(text) && !/^[+-]|^(Etc\/)?GMT[+-]/i.test(text)) return;
      c.addIssue({
        code: 'custom',
        message: `${JSON.stringify(text)} is not an IANA time zone${didYouMean(text, knownZones())}; write a name such as "Europe/Berlin" or "America/New_York"`,
      });
    })
    .describe(description);
}

/** An IPv4 or IPv6 address or network in CIDR notation, normalised ("10.1.2.0/24", "2001:db8::/32"). */
export function cidr(description: string) {
  return z
    .string()
    .transform((text, c) => {
      const result = parseCidr(text);
      if (result.ok) return result.cidr.text;
      c.addIssue({
        code: 'custom',
        message: `${result.reason}; write an address or a network such as "203.0.113.0/24" or "2001:db8::/32"`,
      });
      return z.NEVER;
    })
    .describe(description);
}

/** True for addresses in 127.0.0.0/8 and ::1. */
export function isLoopback(host: string): boolean {
  const ip = parseIp(host);
  if (!ip) return false;
  if (ip.family === 4) return ip.words[0]! >>> 24 === 127;
  return ip.words[0] === 0 && ip.words[1] === 0 && ip.words[2] === 0 && ip.words[3] === 1;
}

/** Splits "ADDR:PORT" / "[V6]:PORT"; the address must be an IP literal (no DNS at startup). */
export function splitHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:[\]]+):([0-9]{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  const host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  const ip = parseIp(host);
  if (!ip || port < 1 || port > 65535) return undefined;
  if ((ip.family === 6) !== m[1]!.startsWith('[') && !host.startsWith('::ffff:')) return undefined;
  return { host, port };
}

/** "ADDR:PORT" with an IP literal address; IPv6 in brackets. */
export function hostPort(description: string, example: string) {
  return z
    .string()
    .superRefine((text, c) => {
      if (splitHostPort(text)) return;
      c.addIssue({
        code: 'custom',
        message: `${JSON.stringify(text)} is not an address and port; write "IP:PORT", e.g. "${example}" or "[::1]:${example.split(':').pop()}" (no host names, port 1-65535)`,
      });
    })
    .describe(description);
}

/** "udp:ADDR:PORT" or "tcp:ADDR:PORT". */
export function listenSpec(description: string) {
  return z
    .string()
    .superRefine((text, c) => {
      const m = /^(udp|tcp):(.*)$/.exec(text);
      if (m && splitHostPort(m[2]!)) return;
      c.addIssue({
        code: 'custom',
        message: `${JSON.stringify(text)} is not a listen address; write "udp:IP:PORT" or "tcp:IP:PORT", e.g. "udp:127.0.0.1:5060" or "tcp:[::1]:5060"`,
      });
    })
    .describe(description);
}

const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SIP_URI_RE = /^(sips?):(?:([^@\s;?]+)@)?(\[[0-9A-Fa-f:.]+\]|[^:;?@\s[\]]+)(?::([0-9]{1,5}))?((?:;[^\s;?]+)*)(\?\S*)?$/;

/** True for a syntactically valid sip:/sips: URI whose host is an IP literal or a host name. */
export function isSipUri(text: string): boolean {
  const m = SIP_URI_RE.exec(text);
  if (!m) return false;
  const host = m[3]!;
  const hostOk = host.startsWith('[') ? parseIp(host)?.family === 6 : parseIp(host) !== undefined || HOSTNAME_RE.test(host);
  const port = m[4] === undefined ? 5060 : Number(m[4]);
  return hostOk && port >= 1 && port <= 65535;
}

/** A sip: or sips: URI. */
export function sipUri(description: string) {
  return z
    .string()
    .superRefine((text, c) => {
      if (isSipUri(text)) return;
      c.addIssue({
        code: 'custom',
        message: `${JSON.stringify(text)} is not a SIP URI; write "sip:[user@]host[:port][;params]", e.g. "sip:127.0.0.1:5080" or "sip:alice@127.0.0.1:5070;transport=tcp"`,
      });
    })
    .describe(description);
}

/** A file path, relative to the process's working directory unless absolute. */
export function filePath(description: string) {
  return z.string().min(1).describe(description);
}

/**
 * An audio file inside media.files: rtpengine is only ever given files under that
 * directory, so an absolute path or one climbing out with ".." could never play.
 */
export function mediaFile(description: string) {
  return z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
      error: (iss) => `${JSON.stringify(iss.input)} is not inside media.files; give a path relative to media.files (e.g. "prompts/closed.wav"), without "..", and copy the file there`,
    })
    .describe(description);
}
