/**
 * The `security` and `registrar` sections: who may send calls and registrations, how
 * digest authentication behaves, and how long registrations live. Consumed by the
 * admission layer (src/admission) and the registrar (src/registrar).
 *
 * @example
 *   securitySchema.parse({}).auth.nonce_ttl;   // 30000
 *   registrarSchema.parse({ max_expires: '1h' }).max_expires; // 3600000
 */
import * as z from 'zod';
import { duration, integer, mapping } from './primitives.js';

/** User-Agent fragments of well-known SIP scanners, matched case-insensitively. */
export const DEFAULT_SCANNER_USER_AGENTS = [
  'friendly-scanner',
  'sipvicious',
  'sipcli',
  'sip-scan',
  'sipsak',
  'sundayddr',
  'iWar',
  'VaxSIPUserAgent',
  'pplsip',
  'smap',
] as const;

const refusal = (description: string) =>
  z.enum(['reject', 'drop']).describe(`${description} \`reject\`: answer 403. \`drop\`: send nothing (for scanners).`);

export const securitySchema = mapping(
  {
    unknown_sources: refusal('What to do with a request from an address that is no trunk and carries no valid credentials.').default('reject'),
    scanners: mapping(
      {
        user_agents: z
          .array(z.string().min(2).describe('A User-Agent fragment, matched case-insensitively.'))
          .default([...DEFAULT_SCANNER_USER_AGENTS])
          .describe('User-Agent fragments of scanners; a request whose User-Agent contains one is refused. Default: a list of well-known scanners.'),
        action: refusal('What to do with a scanner\'s request.').default('drop'),
      },
      'Known SIP scanners.',
    ).prefault({}),
    auth: mapping(
      {
        algorithms: z
          .array(z.enum(['SHA-256', 'MD5']))
          .min(1)
          .default(['SHA-256', 'MD5'])
          .describe('Digest algorithms offered in challenges, in preference order (RFC 8760: SHA-256 first, MD5 for older phones).'),
        nonce_ttl: duration('How long a nonce may be used after it was issued; each nonce is accepted once.', { min: 1000, max: 600_000 }).prefault('30s'),
        max_failures: integer('Failed authentications from one source address before it is blocked.', 1, 1000).default(5),
        failure_window: duration('The window in which failures are counted.', { min: 1000 }).prefault('60s'),
        block_for: duration('How long a source address that failed too often is ignored.', { min: 1000 }).prefault('5m'),
      },
      'Digest authentication of users and trunks.',
    ).prefault({}),
  },
  'Who may send requests, and what happens to the rest.',
);

export const registrarSchema = mapping(
  {
    min_expires: duration('Shortest registration accepted; shorter requests get 423 Interval Too Brief.', { min: 1000, max: 86_400_000 }).prefault('60s'),
    max_expires: duration('Longest registration granted; longer requests are shortened to this.', { min: 1000, max: 86_400_000 }).prefault('1h'),
    default_expires: duration('Registration lifetime when the REGISTER asks for none.', { min: 1000, max: 86_400_000 }).prefault('1h'),
    max_contacts: integer('Most contacts one user may register at once; more get 403.', 1, 100).default(10),
  },
  'The registrar for users and agents.',
).superRefine((r, c) => {
  if (r.max_expires < r.min_expires) c.addIssue({ code: 'custom', path: ['max_expires'], message: 'max_expires must not be shorter than min_expires' });
  if (r.default_expires < r.min_expires || r.default_expires > r.max_expires) {
    c.addIssue({ code: 'custom', path: ['default_expires'], message: 'default_expires must lie between min_expires and max_expires' });
  }
});
