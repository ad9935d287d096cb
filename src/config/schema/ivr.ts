/**
 * The `ivr` (menus) and `voicemail` (boxes) sections.
 *
 * @example
 *   ivrMenuSchema({}).parse({ prompt: 'main.wav', options: { '1': { voicemail: 'sales' } } });
 */
import * as z from 'zod';
import { DEFAULT_IVR_FAILURE_STATUS } from '../defaults.js';
import { chainSchema } from './actions.js';
import { duration, integer, mapping, mediaFile, type SchemaContext } from './primitives.js';

const dtmfKey = z
  .string()
  .regex(/^[0-9*#]$/, {
    error: (iss) => `${JSON.stringify(iss.input)} is not a DTMF key; use one of 0-9, "*" or "#" (quote * and #)`,
  })
  .describe('A DTMF key: 0-9, "*" or "#".');

export function ivrMenuSchema(ctx: SchemaContext) {
  return mapping(
    {
      prompt: mediaFile('The menu prompt (relative to media.files).'),
      timeout: duration('How long to wait for a key after the prompt.', { min: 1000, max: 60_000 }).prefault('5s'),
      retries: integer('How often the prompt is replayed after no key or an invalid key.', 0, 10).default(2),
      invalid_prompt: mediaFile('Played after an invalid key (relative to media.files). Absent: the prompt is replayed directly.').optional(),
      options: z
        .record(dtmfKey, chainSchema(ctx, 'What this key does.'))
        .superRefine((o, c) => {
          if (Object.keys(o).length === 0) c.addIssue({ code: 'custom', message: 'a menu needs at least one option' });
        })
        .describe('Key -> chain of steps. Quote the keys "*" and "#" in YAML.'),
      on_failure: chainSchema(ctx, 'What happens when the retries are used up without a valid key.').prefault({
        reject: { status: DEFAULT_IVR_FAILURE_STATUS },
      }),
    },
    'An IVR menu.',
  );
}

export const voicemailBoxSchema = mapping(
  {
    greeting: mediaFile('Greeting played before the beep (relative to media.files). Absent: a standard greeting.').optional(),
    max_length: duration('Longest message.', { min: 5000, max: 3_600_000 }).prefault('3m'),
    min_length: duration('Shorter messages (after trailing silence is cut) are discarded.', { min: 0, max: 60_000 }).prefault('1s'),
    silence: duration('This much silence in a row ends the message.', { min: 1000, max: 60_000 }).prefault('5s'),
    max_messages: integer('Most messages kept; when full, callers hear that the box is full.', 1, 10_000).default(100),
    pin: z
      .string()
      .regex(/^[0-9]{4,12}$/, { error: () => 'a PIN is 4 to 12 digits, in quotes, e.g. "4321"' })
      .describe('PIN for listening to messages, 4 to 12 digits. Absent: messages are only available through the admin API.')
      .optional(),
  },
  'A voicemail box.',
);
