/**
 * The `routes` section: entry rules tried in order; the first whose every condition
 * holds decides what happens (`then`).
 *
 * @example
 *   routeSchema({}).parse({
 *     name: 'vip',
 *     match: { to: '+18005550100', header: { 'X-Tier': 'gold' }, schedule: { not: 'support-hours' } },
 *     then: { voicemail: 'support' },
 *   });
 */
import * as z from 'zod';
import { chainSchema } from './actions.js';
import { mapping, name, ref, type SchemaContext } from './primitives.js';
import { headerName } from './sip.js';

export type NumberMatchConfig =
  | { readonly kind: 'exact'; readonly values: readonly string[] }
  | { readonly kind: 'prefix'; readonly values: readonly string[] }
  | { readonly kind: 'pattern'; readonly pattern: string };

export type HeaderMatchConfig =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'pattern'; readonly pattern: string }
  | { readonly kind: 'present'; readonly present: boolean };

/** A regular expression source, checked by compiling it. */
function regex(description: string) {
  return z
    .string()
    .min(1)
    .superRefine((source, c) => {
      try {
        new RegExp(source, 'u');
      } catch (err) {
        c.addIssue({
          code: 'custom',
          message: `${JSON.stringify(source)} is not a valid regular expression (${err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err)})`,
        });
      }
    })
    .describe(description);
}

const oneOrMore = (item: z.ZodString, description: string) =>
  z
    .union([item, z.array(item).min(1)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .describe(description);

const exactValue = z.string().min(1).describe('A number or name, compared after normalisation to E.164.');
const prefixValue = z
  .string()
  .regex(/^\+?[0-9*#]+$/, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a number prefix; write digits, optionally after "+", e.g. "+1800" or "1"`,
  })
  .describe('Digits, optionally after "+", compared with the start of the normalised number.');

const numberMatch = (what: string) =>
  z
    .union([
      exactValue,
      mapping(
        {
          exact: oneOrMore(exactValue, 'One number or a list; any of them matches.').optional(),
          prefix: oneOrMore(prefixValue, 'One prefix or a list; any of them matches.').optional(),
          pattern: regex('A regular expression the whole normalised number must match, e.g. "^\\\\+4930[0-9]{4,8}$".').optional(),
        },
        `How the ${what} number must look: exactly one of exact, prefix or pattern.`,
      ),
    ])
    .transform((m, c): NumberMatchConfig => {
      if (typeof m === 'string') return { kind: 'exact', values: [m] };
      const kinds = (['exact', 'prefix', 'pattern'] as const).filter((k) => m[k] !== undefined);
      if (kinds.length !== 1) {
        c.addIssue({
          code: 'custom',
          message: kinds.length === 0 ? 'give one of exact, prefix or pattern' : `give only one of ${kinds.join(' and ')}; use separate rules to combine`,
        });
        return z.NEVER;
      }
      if (m.exact !== undefined) return { kind: 'exact', values: m.exact };
      if (m.prefix !== undefined) return { kind: 'prefix', values: m.prefix };
      return { kind: 'pattern', pattern: m.pattern! };
    })
    .describe(`The ${what} number: a string (exact), or { exact | prefix | pattern }. Compared after normalisation to E.164.`);

const headerMatch = z
  .union([
    z.string().describe('The exact header value.'),
    mapping(
      {
        pattern: regex('A regular expression the whole header value must match.').optional(),
        present: z.boolean().describe('true: the header must be present (any value); false: it must be absent.').optional(),
      },
      'A header condition: exactly one of pattern or present.',
    ),
  ])
  .transform((h, c): HeaderMatchConfig => {
    if (typeof h === 'string') return { kind: 'exact', value: h };
    if ((h.pattern === undefined) === (h.present === undefined)) {
      c.addIssue({ code: 'custom', message: 'give exactly one of pattern or present' });
      return z.NEVER;
    }
    return h.pattern !== undefined ? { kind: 'pattern', pattern: h.pattern } : { kind: 'present', present: h.present! };
  })
  .describe('The exact value, or { pattern } or { present }.');

export interface ScheduleMatchConfig {
  readonly schedule: string;
  /** true: the rule matches while the schedule is open; false: while it is not open. */
  readonly open: boolean;
}

function matchSchema(ctx: SchemaContext) {
  return mapping(
    {
      to: numberMatch('called').optional(),
      from: numberMatch('caller').optional(),
      trunk: z
        .union([ref(ctx, 'trunks', 'A trunk.'), z.array(ref(ctx, 'trunks', 'A trunk.')).min(1)])
        .transform((t) => (Array.isArray(t) ? t : [t]))
        .describe('The trunk (or any of a list of trunks) the call arrived on.')
        .optional(),
      header: z
        .record(headerName('A header name (case-insensitive).'), headerMatch)
        .describe('SIP headers of the INVITE: name -> condition. Every listed header must match.')
        .optional(),
      schedule: z
        .union([
          ref(ctx, 'schedules', 'The schedule that must be open.'),
          mapping({ not: ref(ctx, 'schedules', 'The schedule that must not be open.') }, 'Match while a schedule is not open.'),
        ])
        .transform((s): ScheduleMatchConfig => (typeof s === 'string' ? { schedule: s, open: true } : { schedule: s.not, open: false }))
        .describe('A schedule that must be open (its name), or { not: NAME } for closed.')
        .optional(),
    },
    'Conditions; all must hold. No conditions: the rule matches every call.',
  );
}

export function routeSchema(ctx: SchemaContext) {
  return mapping(
    {
      name: name('A unique name, shown in traces and decisions.'),
      match: matchSchema(ctx).prefault({}),
      then: chainSchema(ctx, 'What to do with a matching call: one step or a list of steps.'),
      record: z
        .boolean()
        .describe('Record the call once bridged, both directions, to media.recordings (a pcap and a JSON sidecar per call). Needs media.')
        .default(false),
    },
    'An entry rule.',
  );
}
