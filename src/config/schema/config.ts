/**
 * The whole configuration schema, and the `Config` type it produces: every section
 * present, every default applied, durations in milliseconds, shorthand forms expanded.
 *
 * @example
 *   const schema = configSchema({ names });   // names: see known-names.ts
 *   const result = schema.safeParse(rawYamlObject);
 */
import * as z from 'zod';
import { numberingSchema } from './numbering.js';
import { mapping, name, type SchemaContext } from './primitives.js';
import { queueSchema } from './queues.js';
import { routeSchema } from './routes.js';
import { scheduleSchema } from './schedules.js';
import { adminSchema, cdrSchema, logSchema, mediaSchema, queueLogSchema } from './services.js';
import { registrarSchema, securitySchema } from './policy.js';
import { sipSchema } from './sip.js';
import { trunkSchema } from './trunks.js';
import { agentSchema, userSchema } from './users.js';
import { ivrMenuSchema, voicemailBoxSchema } from './ivr.js';

/** The top-level sections, in the order the documentation presents them. */
export const SECTIONS = [
  'numbering',
  'sip',
  'security',
  'registrar',
  'media',
  'trunks',
  'users',
  'agents',
  'queues',
  'schedules',
  'ivr',
  'voicemail',
  'routes',
  'cdr',
  'queue_log',
  'admin',
  'log',
] as const;

export function configSchema(ctx: SchemaContext = {}) {
  const entries = <T extends z.ZodType>(value: T, description: string, what: string) =>
    z.record(name(`The ${what}'s name.`), value).prefault({}).describe(description);
  return mapping(
    {
      numbering: numberingSchema.optional(),
      sip: sipSchema.prefault({}),
      security: securitySchema.prefault({}),
      registrar: registrarSchema.prefault({}),
      media: mediaSchema.prefault({}),
      trunks: entries(trunkSchema, 'SIP trunks by name.', 'trunk'),
      users: entries(userSchema, 'SIP users by name (the digest username).', 'user'),
      agents: z
        .record(name("The agent's name."), agentSchema(ctx))
        .prefault({})
        .transform((agents) =>
          Object.fromEntries(Object.entries(agents).map(([id, a]) => [id, { ...a, user: a.user ?? id }])),
        )
        .describe('Queue agents by name.'),
      queues: entries(queueSchema(ctx), 'ACD queues by name.', 'queue'),
      schedules: entries(scheduleSchema, 'Opening-hours schedules by name.', 'schedule'),
      ivr: entries(ivrMenuSchema(ctx), 'IVR menus by name.', 'IVR menu'),
      voicemail: entries(voicemailBoxSchema, 'Voicemail boxes by name.', 'voicemail box'),
      routes: z.array(routeSchema(ctx)).prefault([]).describe('Entry rules, tried in order; the first match wins.'),
      cdr: cdrSchema.prefault({}),
      queue_log: queueLogSchema.prefault({}),
      admin: adminSchema.prefault({}),
      log: logSchema.prefault({}),
    },
    'Switchboard configuration.',
  );
}

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The validated, fully defaulted, deep-frozen configuration. Durations are milliseconds. */
export type Config = DeepReadonly<z.output<ReturnType<typeof configSchema>>>;
export type SecurityDefinition = Config['security'];
export type RegistrarDefinition = Config['registrar'];
export type TrunkDefinition = Config['trunks'][string];
export type UserDefinition = Config['users'][string];
export type AgentDefinition = Config['agents'][string];
export type QueueDefinition = Config['queues'][string];
export type ScheduleDefinition = Config['schedules'][string];
export type IvrMenuDefinition = Config['ivr'][string];
export type VoicemailBoxDefinition = Config['voicemail'][string];
export type RouteDefinition = Config['routes'][number];
export type MatchDefinition = RouteDefinition['match'];
export type NumberingDefinition = NonNullable<Config['numbering']>;
