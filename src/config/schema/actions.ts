/**
 * Action steps: what a rule, a queue overflow, an IVR option or a follow-the-sun site
 * does with a call. A chain is one step or a list of steps run in order; each step
 * that can fail says on which outcomes the next step runs (`continue_on`).
 *
 * YAML forms (each step is a mapping with exactly one action key):
 *
 *   - ring: alice                                   # one target
 *   - ring: { targets: [alice, bob], mode: sequential, timeout: 15s }
 *     continue_on: [busy, no_answer]
 *   - forward: { to: { number: "+14155550123", trunk: carrier-a } }
 *   - voicemail: sales
 *   - ivr: main
 *   - reject: 486                                   # or { status: 403, reason: Forbidden }
 *   - queue: { name: support, priority: 10 }
 *   - follow_the_sun: { sites: [...], fallback: ... }
 *
 * @example
 *   const chain = chainSchema({}, 'What to do.');
 *   chain.parse({ ring: 'alice' });
 *   // [{ kind: 'ring', targets: [{ kind: 'user', user: 'alice' }], mode: 'simultaneous', timeout: 20000, continue_on: [...] }]
 */
import * as z from 'zod';
import { DEFAULT_RING_TIMEOUT_MS } from '../defaults.js';
import {
  checkOutboundTrunk,
  duration,
  integer,
  isSipUri,
  mapping,
  mediaFile,
  ref,
  type SchemaContext,
} from './primitives.js';
import { didYouMean } from '../suggest.js';

/** Why a step ended without connecting the call; see docs/routing.md for the SIP status mapping. */
export const OUTCOMES = ['busy', 'no_answer', 'unavailable', 'failure'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type TargetConfig =
  | { readonly kind: 'user'; readonly user: string; readonly timeout?: number }
  | { readonly kind: 'uri'; readonly uri: string; readonly timeout?: number }
  | { readonly kind: 'number'; readonly number: string; readonly trunk: string; readonly timeout?: number };

export interface FollowTheSunSiteConfig {
  readonly name: string;
  readonly schedule: string;
  readonly then: readonly StepConfig[];
}

export type StepConfig =
  | {
      readonly kind: 'ring';
      readonly targets: readonly TargetConfig[];
      readonly mode: 'simultaneous' | 'sequential';
      readonly timeout: number;
      readonly continue_on: readonly Outcome[];
    }
  | { readonly kind: 'forward'; readonly to: TargetConfig; readonly redirect: boolean; readonly continue_on: readonly Outcome[] }
  | { readonly kind: 'voicemail'; readonly box: string; readonly continue_on: readonly Outcome[] }
  | { readonly kind: 'ivr'; readonly menu: string }
  | { readonly kind: 'play'; readonly files: readonly string[] }
  | { readonly kind: 'reject'; readonly status: number; readonly reason: string }
  | { readonly kind: 'queue'; readonly queue: string; readonly priority: number }
  | {
      readonly kind: 'follow_the_sun';
      readonly sites: readonly FollowTheSunSiteConfig[];
      readonly fallback: readonly StepConfig[];
    };


/** Reason phrases from RFC 3261 section 21 and its updates, used when a reject gives none. */
const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  410: 'Gone',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  421: 'Extension Required',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

/** The standard reason phrase for a SIP status, or a generic one for the class. */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? (status >= 600 ? 'Global Failure' : status >= 500 ? 'Server Error' : 'Request Failed');
}

const E164_RE = /^\+[1-9][0-9]{1,14}$/;

function targetFromText(ctx: SchemaContext, text: string, c: z.RefinementCtx): TargetConfig {
  if (/^sips?:/i.test(text)) {
    if (!isSipUri(text)) {
      c.addIssue({
        code: 'custom',
        message: `${JSON.stringify(text)} is not a SIP URI; write "sip:[user@]host[:port][;params]", e.g. "sip:bob@127.0.0.1:5070"`,
      });
    }
    return { kind: 'uri', uri: text };
  }
  if (/^\+?[0-9]/.test(text)) {
    c.addIssue({
      code: 'custom',
      message: `${JSON.stringify(text)} looks like a number; a number is dialled through a trunk: write { number: "+14155550123", trunk: NAME }`,
    });
    return { kind: 'user', user: text };
  }
  const users = ctx.names?.users;
  if (users && !users.has(text)) {
    c.addIssue({
      code: 'custom',
      message: `unknown user ${JSON.stringify(text)}${didYouMean(text, users)}; a target is a user name (${
        users.size === 0 ? 'no users are defined' : `defined users: ${[...users].join(', ')}`
      }), a "sip:" URI, or { number, trunk }`,
    });
  }
  return { kind: 'user', user: text };
}

function targetString(ctx: SchemaContext) {
  return z
    .string()
    .min(1)
    .transform((text, c) => targetFromText(ctx, text, c))
    .describe('A user name (rings their registrations and static contacts) or a "sip:"/"sips:" URI.');
}

function targetObject(ctx: SchemaContext) {
  return mapping(
    {
      user: ref(ctx, 'users', 'A user defined under `users`.').optional(),
      uri: z.string().describe('A SIP URI, e.g. "sip:bob@127.0.0.1:5070".').optional(),
      number: z
        .string()
        .regex(E164_RE, {
          error: (iss) => `${JSON.stringify(iss.input)} is not an E.164 number; write "+" and 2 to 15 digits, e.g. "+14155550123"`,
        })
        .describe('An E.164 number ("+" and digits) dialled through `trunk`.')
        .optional(),
      trunk: z.string().describe('The trunk (with an `outbound` section) that carries a `number` target.').optional(),
      timeout: duration('How long this target rings; overrides the step timeout.', { min: 1000, max: 600_000 }).optional(),
    },
    'A ring target given as a mapping: exactly one of `user`, `uri` or `number` (with `trunk`), and an optional `timeout`.',
  ).transform((t, c): TargetConfig => {
    const kinds = (['user', 'uri', 'number'] as const).filter((k) => t[k] !== undefined);
    if (kinds.length !== 1) {
      c.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? 'a target needs one of user, uri or number'
            : `a target has exactly one of user, uri or number; found ${kinds.join(' and ')}`,
      });
      return z.NEVER;
    }
    const timeout = t.timeout === undefined ? {} : { timeout: t.timeout };
    if (t.number !== undefined) {
      if (t.trunk === undefined) {
        c.addIssue({ code: 'custom', message: 'a number target needs `trunk`: the trunk that dials it' });
        return z.NEVER;
      }
      checkOutboundTrunk(ctx, t.trunk, c, ['trunk']);
      return { kind: 'number', number: t.number, trunk: t.trunk, ...timeout };
    }
    if (t.trunk !== undefined) {
      c.addIssue({ code: 'custom', path: ['trunk'], message: '`trunk` only applies to a number target' });
      return z.NEVER;
    }
    if (t.uri !== undefined) {
      if (!isSipUri(t.uri)) {
        c.addIssue({
          code: 'custom',
          path: ['uri'],
          message: `${JSON.stringify(t.uri)} is not a SIP URI; write "sip:[user@]host[:port][;params]"`,
        });
      }
      return { kind: 'uri', uri: t.uri, ...timeout };
    }
    return { kind: 'user', user: t.user!, ...timeout };
  });
}

function targetSchema(ctx: SchemaContext) {
  return z.union([targetString(ctx), targetObject(ctx)]).describe('Who to ring: a user name, a SIP URI, or a mapping.');
}

function ringSchema(ctx: SchemaContext) {
  return z
    .union([
      targetString(ctx),
      mapping(
        {
          targets: z.array(targetSchema(ctx)).min(1).describe('Who to ring, in order (the order matters for `sequential`).'),
          mode: z
            .enum(['simultaneous', 'sequential'])
            .default('simultaneous')
            .describe('`simultaneous`: all targets at once, first answer wins. `sequential`: one after another (hunt).'),
          timeout: duration('How long each target rings unless it sets its own `timeout`.', { min: 1000, max: 600_000 }).prefault(
            `${DEFAULT_RING_TIMEOUT_MS / 1000}s`,
          ),
        },
        'Ring several targets.',
      ),
    ])
    .transform((r) =>
      'kind' in r
        ? { targets: [r], mode: 'simultaneous' as const, timeout: DEFAULT_RING_TIMEOUT_MS }
        : { targets: r.targets, mode: r.mode, timeout: r.timeout },
    )
    .describe('Ring one target (a user name or SIP URI) or several (`targets`), simultaneously or in sequence.');
}

function forwardSchema(ctx: SchemaContext) {
  return z
    .union([
      targetString(ctx),
      mapping(
        {
          to: targetSchema(ctx),
          redirect: z
            .boolean()
            .default(false)
            .describe('Answer the caller with 302 Moved Temporarily pointing at the target instead of bridging the call.'),
        },
        'Forward with options.',
      ),
    ])
    .transform((f) => ('kind' in f ? { to: f, redirect: false } : { to: f.to, redirect: f.redirect }))
    .describe('Forward the call unconditionally to one target (no ring timeout of its own; a Diversion header records the forward).');
}

const rejectSchema = z
  .union([
    integer('The SIP status code.', 400, 699),
    mapping(
      {
        status: integer('The SIP status code, 400-699.', 400, 699),
        reason: z.string().min(1).describe('The reason phrase; defaults to the standard phrase for the status.').optional(),
      },
      'Reject with a status and reason.',
    ),
  ])
  .transform((r, c) => {
    const status = typeof r === 'number' ? r : r.status;
    if (status === 401 || status === 407) {
      c.addIssue({
        code: 'custom',
        message: `${status} is an authentication challenge and needs a challenge header; use 403 to refuse a caller`,
      });
      return z.NEVER;
    }
    return { status, reason: typeof r === 'number' || r.reason === undefined ? reasonPhrase(status) : r.reason };
  })
  .describe('Reject the call with a SIP status (400-699), e.g. 486, or { status: 403, reason: "Forbidden" }. After the call was answered (queue, IVR) this ends it.');

function queueActionSchema(ctx: SchemaContext) {
  return z
    .union([
      ref(ctx, 'queues', 'The queue.'),
      mapping(
        {
          name: ref(ctx, 'queues', 'The queue.'),
          priority: integer('Caller priority: higher is served first (aging keeps low priorities from starving). -100 to 100.', -100, 100).default(0),
        },
        'Queue with a priority.',
      ),
    ])
    .transform((q) => (typeof q === 'string' ? { queue: q, priority: 0 } : { queue: q.name, priority: q.priority }))
    .describe('Put the caller in a queue: a queue name, or { name, priority }.');
}

const continueOnSchema = z
  .array(z.enum(OUTCOMES))
  .describe(
    'Outcomes of this step after which the next step runs: busy, no_answer, unavailable, failure. Default: all four. Any other outcome (and the caller hanging up) ends the call.',
  );

const ACTION_KEYS = ['ring', 'forward', 'voicemail', 'ivr', 'play', 'reject', 'queue', 'follow_the_sun'] as const;
const CONTINUABLE = new Set<string>(['ring', 'forward', 'voicemail']);

/** The parsed keys of a step before it becomes a `StepConfig`. */
interface RawStep {
  ring?: { targets: TargetConfig[]; mode: 'simultaneous' | 'sequential'; timeout: number };
  forward?: { to: TargetConfig; redirect: boolean };
  voicemail?: string;
  ivr?: string;
  play?: string[];
  reject?: { status: number; reason: string };
  queue?: { queue: string; priority: number };
  follow_the_sun?: { sites: FollowTheSunSiteConfig[]; fallback: StepConfig[] };
  continue_on?: Outcome[];
}

/** "an" before "ivr", "a" before the other step kinds. */
const article = (kind: string): string => (/^[aeiou]/.test(kind) ? 'an' : 'a');

function toStep(step: RawStep, c: z.RefinementCtx): StepConfig {
  const present = ACTION_KEYS.filter((k) => step[k] !== undefined);
  if (present.length !== 1) {
    c.addIssue({
      code: 'custom',
      message:
        present.length === 0
          ? `a step needs one action: ${ACTION_KEYS.join(', ')}`
          : `a step has exactly one action, found ${present.join(' and ')}; give each its own list item`,
    });
    return z.NEVER;
  }
  const kind = present[0]!;
  if (step.continue_on !== undefined && !CONTINUABLE.has(kind)) {
    const why =
      kind === 'queue'
        ? "the queue's on_full and on_timeout decide what happens next"
        : kind === 'follow_the_sun'
          ? "put continue_on on the steps inside the sites' chains"
          : `${article(kind)} ${kind} step never hands the call on`;
    c.addIssue({ code: 'custom', path: ['continue_on'], message: `continue_on has no effect on ${article(kind)} ${kind} step; ${why}` });
    return z.NEVER;
  }
  const continueOn = step.continue_on ?? [...OUTCOMES];
  switch (kind) {
    case 'ring':
      return { kind, ...step.ring!, continue_on: continueOn };
    case 'forward':
      return { kind, ...step.forward!, continue_on: continueOn };
    case 'voicemail':
      return { kind, box: step.voicemail!, continue_on: continueOn };
    case 'ivr':
      return { kind, menu: step.ivr! };
    case 'play':
      return { kind, files: step.play! };
    case 'reject':
      return { kind, ...step.reject! };
    case 'queue':
      return { kind, ...step.queue! };
    case 'follow_the_sun':
      return { kind, ...step.follow_the_sun! };
  }
}

/** True when no later step of a chain can run after this one. */
export function endsChain(step: StepConfig): boolean {
  switch (step.kind) {
    case 'reject':
    case 'ivr':
    case 'queue':
      return true;
    case 'ring':
    case 'forward':
    case 'voicemail':
      return step.continue_on.length === 0;
    case 'follow_the_sun':
    case 'play':
      return false;
  }
}

function chainOf<S extends z.ZodType<StepConfig, unknown>>(step: S, description: string) {
  return z
    .union([step, z.array(step).min(1)])
    .transform((value, c): StepConfig[] => {
      const steps = Array.isArray(value) ? value : [value];
      for (let i = 0; i + 1 < steps.length; i++) {
        if (endsChain(steps[i]!)) {
          c.addIssue({
            code: 'custom',
            path: [i + 1],
            message: `this step can never run: the ${steps[i]!.kind} step before it never hands the call on${
              steps[i]!.kind === 'queue' ? " (use the queue's on_full and on_timeout for overflow)" : ''
            }`,
          });
          return z.NEVER;
        }
      }
      return steps;
    })
    .describe(description);
}

const STEP_DESCRIPTION = 'One action step: a mapping with exactly one action key and, for ring/forward/voicemail, `continue_on`.';

function baseStepShape(ctx: SchemaContext) {
  return {
    ring: ringSchema(ctx).optional(),
    forward: forwardSchema(ctx).optional(),
    voicemail: ref(ctx, 'voicemail', 'Send the caller to this voicemail box.').optional(),
    ivr: ref(ctx, 'ivr', 'Answer and play this IVR menu.').optional(),
    play: z
      .union([mediaFile('An audio file (relative to media.files).'), z.array(mediaFile('An audio file (relative to media.files).')).min(1)])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .describe('Answer the caller and play these files in order (an after-hours message); then the next step runs, or the call ends.')
      .optional(),
    reject: rejectSchema.optional(),
    queue: queueActionSchema(ctx).optional(),
    continue_on: continueOnSchema.optional(),
  };
}

type Chain = ReturnType<typeof chainOf>;

function followTheSunSchema(ctx: SchemaContext, siteChain: Chain) {
  return mapping(
    {
      sites: z
        .array(
          mapping(
            {
              name: z.string().min(1).describe('A label for the site, shown in traces.'),
              schedule: ref(ctx, 'schedules', "The site's opening hours (a schedule, which carries the site's time zone)."),
              then: siteChain.describe('What to do when this site is the first one open.'),
            },
            'A site: its opening hours and what to do while it is open.',
          ),
        )
        .min(1)
        .superRefine((sites, c) => {
          const seen = new Set<string>();
          sites.forEach((site, i) => {
            if (seen.has(site.name)) {
              c.addIssue({ code: 'custom', path: [i, 'name'], message: `site name ${JSON.stringify(site.name)} is used twice; give each site its own name` });
            }
            seen.add(site.name);
          });
        })
        .describe('Sites in order of preference; the call goes to the first site open at the time of the call.'),
      fallback: siteChain.describe('What to do when no site is open.'),
    },
    'Follow-the-sun: route to the first open site, else the fallback.',
  );
}

function buildChains(ctx: SchemaContext) {
  // Inside a follow-the-sun site the step vocabulary is the same minus follow_the_sun itself.
  const siteStep = mapping(baseStepShape(ctx), `${STEP_DESCRIPTION} (follow_the_sun cannot be nested here)`, {
    follow_the_sun: 'follow_the_sun cannot be nested inside a site or fallback of another follow_the_sun',
  })
    .meta({ id: 'site_step' })
    .transform((s, c) => toStep(s, c));
  const siteChain = chainOf(siteStep, 'A chain of steps inside follow_the_sun.');
  const step = mapping(
    { ...baseStepShape(ctx), follow_the_sun: followTheSunSchema(ctx, siteChain).optional() },
    STEP_DESCRIPTION,
  )
    .meta({ id: 'step' })
    .transform((s, c) => toStep(s, c));
  return chainOf(step, 'A chain of steps.');
}

/** One schema instance per context, so the JSON Schema defines a chain once and refers to it. */
const chainsByContext = new WeakMap<SchemaContext, Chain>();

/**
 * A chain of steps (one step or a list). `follow_the_sun` may appear in top-level chains
 * but not inside a site's own chain.
 */
export function chainSchema(ctx: SchemaContext, description: string) {
  let chain = chainsByContext.get(ctx);
  if (!chain) {
    chain = buildChains(ctx);
    chainsByContext.set(ctx, chain);
  }
  return chain.describe(description);
}
