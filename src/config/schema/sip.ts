/**
 * The `sip` section, consumed by the SIP engine and the application (no routing behaviour).
 *
 * @example
 *   sipSchema.parse({}).timers; // { t1: 500, t2: 4000, t4: 5000 }
 */
import * as z from 'zod';
import { duration, hostPort, integer, isLoopback, listenSpec, mapping, splitHostPort } from './primitives.js';

const HOSTNAME_OR_IP_RE = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9a-fA-F:.]+$/;
const HEADER_NAME_RE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** A SIP header name (an RFC 3261 token). */
export function headerName(description: string) {
  return z
    .string()
    .regex(HEADER_NAME_RE, {
      error: (iss) => `${JSON.stringify(iss.input)} is not a SIP header name; use letters, digits and "-", e.g. "X-Tier"`,
    })
    .describe(description);
}

const timersSchema = mapping(
  {
    t1: duration('RFC 3261 T1, the round-trip time estimate; retransmission intervals start here.', { min: 100, max: 10_000 }).prefault('500ms'),
    t2: duration('RFC 3261 T2, the longest retransmission interval for non-INVITE requests and INVITE responses.', { min: 1000, max: 60_000 }).prefault('4s'),
    t4: duration('RFC 3261 T4, how long a message may stay in the network.', { min: 1000, max: 60_000 }).prefault('5s'),
  },
  'SIP transaction timers.',
).superRefine((t, c) => {
  if (t.t2 < t.t1) c.addIssue({ code: 'custom', path: ['t2'], message: 't2 must not be shorter than t1 (RFC 3261 section 17)' });
});

const tcpSchema = mapping(
  {
    idle_timeout: duration('Close a TCP connection after this long without traffic.', { min: 1000 }).prefault('300s'),
    message_timeout: duration('Close a TCP connection when a started message is not complete after this long.', { min: 100 }).prefault('10s'),
    max_connections: integer('Most TCP connections open at once.', 1, 1_000_000).default(10_000),
    max_connections_per_source: integer('Most TCP connections from one source IP address.', 1, 1_000_000).default(100),
  },
  'TCP transport limits.',
);

const controlSchema = mapping(
  {
    listen: hostPort("Where the embedded engine's drachtio control port listens.", '127.0.0.1:9022').default('127.0.0.1:9022'),
    secret: z
      .string()
      .min(8)
      .describe(
        'Shared secret drachtio applications authenticate with. Required when `listen` is not loopback; when absent a random secret is generated at start and given to the built-in application.',
      )
      .optional(),
  },
  "The embedded SIP engine's drachtio control port (drachtio-server compatible).",
).superRefine((ctl, c) => {
  const hp = splitHostPort(ctl.listen);
  if (hp && !isLoopback(hp.host) && ctl.secret === undefined) {
    c.addIssue({ code: 'custom', path: ['secret'], message: `a secret is required because the control port listens on ${ctl.listen}, which is not loopback` });
  }
});

const drachtioSchema = mapping(
  {
    mode: z
      .enum(['embedded', 'external'])
      .default('embedded')
      .describe('`embedded`: the application connects to the built-in engine. `external`: it connects to a drachtio-server at host:port.'),
    host: z
      .string()
      .regex(HOSTNAME_OR_IP_RE, { error: (iss) => `${JSON.stringify(iss.input)} is not a host name or IP address` })
      .describe('The external drachtio-server host (mode external).')
      .optional(),
    port: integer('The external drachtio-server control port (mode external).', 1, 65535).default(9022),
    secret: z.string().min(1).describe("The external drachtio-server's secret (mode external).").optional(),
  },
  'Which drachtio engine the application uses.',
).superRefine((d, c) => {
  if (d.mode !== 'external') return;
  if (d.host === undefined) c.addIssue({ code: 'custom', path: ['host'], message: 'mode external needs the drachtio-server host' });
  if (d.secret === undefined) c.addIssue({ code: 'custom', path: ['secret'], message: "mode external needs the drachtio-server's secret" });
});

export const sipSchema = mapping(
  {
    listen: z
      .array(listenSpec('A transport and address, e.g. "udp:127.0.0.1:5060", "tcp:[::1]:5060".'))
      .min(1)
      .default(['udp:127.0.0.1:5060', 'tcp:127.0.0.1:5060'])
      .superRefine((list, c) => {
        list.forEach((spec, i) => {
          if (list.indexOf(spec) !== i) c.addIssue({ code: 'custom', path: [i], message: `${spec} is listed twice` });
        });
      })
      .describe('SIP listen addresses.'),
    realm: z.string().min(1).default('switchboard').describe('Digest authentication realm for users and trunks.'),
    max_message_size: integer('Largest SIP message accepted, in bytes; larger ones get 513.', 1024, 1_048_576).default(65_536),
    timers: timersSchema.prefault({}),
    tcp: tcpSchema.prefault({}),
    control: controlSchema.prefault({}),
    drachtio: drachtioSchema.prefault({}),
    headers: mapping(
      {
        copy: z
          .array(headerName('A header name.'))
          .prefault([])
          .describe('Headers copied from the caller\'s INVITE (A leg) to the outgoing INVITE (B leg), e.g. ["X-Tier", "User-to-User"].'),
      },
      'Header handling across the B2BUA.',
    ).prefault({}),
  },
  'SIP engine settings.',
);
