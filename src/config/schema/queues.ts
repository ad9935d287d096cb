/**
 * The `queues` section: ACD queues with a strategy, members, skill requirements that
 * relax while the caller waits, priority aging, limits with overflow chains, offer
 * handling, callback and announcements.
 *
 * @example
 *   queueSchema({}).parse({ members: ['alice'], skills: { need: { en: 3 }, relax: [{ after: '60s', need: { en: 1 } }] } });
 */
import * as z from 'zod';
import {
  DEFAULT_QUEUE_FULL_STATUS,
  DEFAULT_QUEUE_TIMEOUT_STATUS,
} from '../defaults.js';
import { chainSchema } from './actions.js';
import { checkOutboundTrunk, duration, integer, mapping, mediaFile, patternString, ref, type SchemaContext } from './primitives.js';
import { skillLevels } from './users.js';

const QUEUE_STRATEGIES = ['longest-idle', 'fewest-calls', 'round-robin', 'ring-all', 'linear'] as const;

function needText(need: Readonly<Record<string, number>>): string {
  const parts = Object.entries(need).map(([s, l]) => `${s} >= ${l}`);
  return parts.length === 0 ? 'any member' : parts.join(', ');
}

const skillsSchema = mapping(
  {
    need: skillLevels('Minimum skill levels a caller needs at first, e.g. { en: 3 }. {} means any member.').prefault({}),
    relax: z
      .array(
        mapping(
          {
            after: duration('Waiting time after which this stage applies.', { min: 1000 }),
            need: skillLevels('Minimum levels from then on; must be weaker than the stage before (fewer skills, lower levels).'),
          },
          'A relaxation stage.',
        ),
      )
      .prefault([])
      .describe('Weaker requirements that apply as the caller keeps waiting, in order of `after`.'),
  },
  'Skill requirements and their relaxation over waiting time.',
).superRefine((s, c) => {
  let previous: { after: number; need: Readonly<Record<string, number>> } = { after: 0, need: s.need };
  s.relax.forEach((stage, i) => {
    if (stage.after <= previous.after) {
      c.addIssue({ code: 'custom', path: ['relax', i, 'after'], message: 'relaxation stages must come in increasing order of `after`' });
    }
    for (const [skill, level] of Object.entries(stage.need)) {
      const before = previous.need[skill];
      if (before === undefined || level > before) {
        c.addIssue({
          code: 'custom',
          path: ['relax', i, 'need', skill],
          message: `a relaxed stage may only lower or drop requirements; ${skill} >= ${level} is stricter than the stage before (${needText(previous.need)})`,
        });
      }
    }
    previous = stage;
  });
});

const offerSchema = mapping(
  {
    ring_timeout: duration("How long an agent's phone rings with a queue call before the offer counts as missed.", { min: 1000, max: 300_000 }).prefault('15s'),
    retry_delay: duration('Pause after a missed offer before the caller is offered again.', { max: 300_000 }).prefault('5s'),
    retries: integer('How many more offers a caller gets after missed ones before the queue gives up (on_timeout). Absent: unlimited, until max_wait.', 0, 1000).optional(),
    auto_pause_after: integer('Pause an agent after this many missed offers in a row. Absent: never.', 1, 100).optional(),
  },
  'How calls are offered to agents.',
);

const callbackSchema = (ctx: SchemaContext) =>
  mapping(
    {
      digit: patternString(/^[0-9*#]$/, (v) => `${JSON.stringify(v)} is not a DTMF digit; use one of 0-9, * or # (in quotes)`)
        .default('1')
        .describe('The key a caller presses to accept a callback.'),
      offer_after: duration('Offer a callback once the caller has waited this long.').prefault('60s'),
      repeat: duration('Offer again at this interval while the caller waits. Absent: offer once.', { min: 10_000 }).optional(),
      attempts: integer('Calls placed to the caller before the callback counts as failed (the agent is rung first each time).', 1, 10).default(3),
      retry_delay: duration('Wait after a failed attempt (caller busy or not answering) before the callback queues again.', { min: 1000, max: 3_600_000 }).prefault('2m'),
      trunk: z
        .string()
        .describe("The trunk that places the call back. Absent: the trunk the call came in on (internal callers are called directly).")
        .superRefine((t, c) => checkOutboundTrunk(ctx, t, c, []))
        .optional(),
    },
    'Offer to call the caller back instead of waiting on hold.',
  );

const announcementsSchema = mapping(
  {
    position: z.boolean().default(true).describe("Tell callers their position in the queue."),
    estimated_wait: z.boolean().default(true).describe('Tell callers their estimated waiting time.'),
    first_after: duration('First announcement after the caller has waited this long.').prefault('30s'),
    every: duration('Repeat the announcements at this interval.', { min: 10_000 }).prefault('60s'),
  },
  'Announcements to waiting callers.',
);

export function queueSchema(ctx: SchemaContext) {
  return mapping(
    {
      strategy: z
        .enum(QUEUE_STRATEGIES)
        .default('longest-idle')
        .describe(
          'How an agent is picked: longest-idle (the longest-waiting caller goes to the agent idle longest), fewest-calls, round-robin, ring-all, linear (members in listed order).',
        ),
      members: z
        .array(ref(ctx, 'agents', 'An agent.'))
        .min(1)
        .superRefine((list, c) => {
          list.forEach((agent, i) => {
            if (list.indexOf(agent) !== i) c.addIssue({ code: 'custom', path: [i], message: `agent ${JSON.stringify(agent)} is listed twice` });
          });
        })
        .describe('Agents serving this queue, in order (the order is used by `linear`).'),
      skills: skillsSchema.prefault({}),
      aging: duration('Priority aging: one priority level is worth this much waiting time, so low priorities are never starved.', { min: 1000 }).prefault('60s'),
      max_size: integer('Most callers waiting at once; the next caller gets `on_full`. Absent: no limit.', 1).optional(),
      on_full: chainSchema(ctx, 'What a caller gets when the queue is full.').prefault({
        reject: { status: DEFAULT_QUEUE_FULL_STATUS, reason: 'Queue Full' },
      }),
      max_wait: duration('Longest wait; then the caller gets `on_timeout`. Absent: no limit.', { min: 1000 }).optional(),
      on_timeout: chainSchema(ctx, 'What a caller gets after `max_wait`, or when offers are exhausted (`offer.retries`).').prefault({
        reject: { status: DEFAULT_QUEUE_TIMEOUT_STATUS, reason: 'Queue Timeout' },
      }),
      offer: offerSchema.prefault({}),
      callback: callbackSchema(ctx).optional(),
      announcements: announcementsSchema.prefault({}),
      music: mediaFile('Hold music file (relative to media.files). Absent: callers hear ringback.').optional(),
      record: z.boolean().describe('Record calls once an agent answers, both directions, to media.recordings. Needs media.').default(false),
    },
    'An ACD queue.',
  );
}
