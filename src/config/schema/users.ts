/**
 * The `users` (SIP endpoints) and `agents` (people who take queue calls) sections.
 *
 * @example
 *   userSchema.parse({ password: 'correct-horse' });
 *   agentSchema({}).parse({ skills: { en: 5 }, wrap_up: '15s' });
 *   // { skills: { en: 5 }, max_calls: 1, wrap_up: 15000 }
 */
import * as z from 'zod';
import { duration, integer, mapping, ref, sipUri, type SchemaContext } from './primitives.js';

export const userSchema = mapping(
  {
    password: z.string().min(8).describe('Digest password the user registers and calls with (at least 8 characters).').optional(),
    contacts: z
      .array(sipUri('A contact URI, e.g. "sip:lobby@127.0.0.1:5090".'))
      .min(1)
      .describe('Static contacts rung in addition to registrations (for devices that do not register).')
      .optional(),
    display_name: z.string().min(1).describe('Name shown to called parties.').optional(),
  },
  'A SIP user: credentials to register, and/or static contacts.',
).superRefine((u, c) => {
  if (u.password === undefined && u.contacts === undefined) {
    c.addIssue({ code: 'custom', message: 'a user needs a `password` (to register), static `contacts`, or both' });
  }
});

const SKILL_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** A skill name: a label like "en" or "billing". */
const skillName = z
  .string()
  .regex(SKILL_RE, { error: (iss) => `${JSON.stringify(iss.input)} is not a skill name; use letters, digits, "_", "." or "-"` })
  .describe('A skill name, e.g. "en" or "billing".');

/** Skill name -> proficiency level 1 (basic) to 5 (expert). */
export const skillLevels = (description: string) =>
  z.record(skillName, integer('Proficiency level, 1 (basic) to 5 (expert).', 1, 5)).describe(description);

export function agentSchema(ctx: SchemaContext) {
  return mapping(
    {
      user: ref(ctx, 'users', "The user whose phones ring for this agent's queue calls. Default: the user with the agent's name.").optional(),
      skills: skillLevels('Skills and levels, e.g. { en: 5, billing: 3 }.').prefault({}),
      max_calls: integer('Most queue calls this agent handles at once.', 1, 100).default(1),
      wrap_up: duration('Time after a call before the agent is offered the next one.', { max: 3_600_000 }).prefault('0s'),
      auto_pause_after: integer(
        'Pause the agent after this many offers in a row go unanswered. Default: the smallest `offer.auto_pause_after` of the queues the agent serves; absent everywhere: never.',
        1,
        100,
      ).optional(),
    },
    'A queue agent.',
  );
}
