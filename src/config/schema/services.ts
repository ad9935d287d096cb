/**
 * The `media`, `cdr`, `queue_log`, `admin` and `log` sections, consumed by other
 * components (no routing behaviour).
 *
 * @example
 *   mediaSchema.parse({}).rtpengine.ng; // "127.0.0.1:22222"
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { duration, filePath, hostPort, integer, isLoopback, mapping, splitHostPort } from './primitives.js';

const rtpengineSchema = mapping(
  {
    mode: z
      .enum(['managed', 'external', 'off'])
      .default('managed')
      .describe('`managed`: Switchboard starts rtpengine. `external`: use a running rtpengine at `ng`. `off`: no media anchoring.'),
    ng: hostPort("rtpengine's NG control address.", '127.0.0.1:22222').default('127.0.0.1:22222'),
    dtmf_listen: hostPort(
      "Where Switchboard receives rtpengine's DTMF events (RFC 4733 digits for IVR menus and callbacks). Managed: default a free loopback port passed to rtpengine. External: start rtpengine with --dtmf-log-dest=THIS; absent: only SIP INFO digits are seen.",
      '127.0.0.1:22223',
    ).optional(),
    interfaces: z
      .array(
        z
          .string()
          .refine((v) => v.split('!').every((a) => isIP(a) !== 0), {
            error: (iss) => `${JSON.stringify(iss.input)} is not an IP address; give the address RTP is received on, e.g. "203.0.113.5", or "10.0.0.5!203.0.113.5" to advertise another one (behind NAT)`,
          }),
      )
      .min(1)
      .describe('Managed: addresses rtpengine relays RTP on, as "ADDRESS" or "LOCAL!ADVERTISED" (behind NAT). The default, loopback, only suits tests and a single machine: set your media address.')
      .default(['127.0.0.1']),
    playback_threads: integer(
      'Managed: threads rtpengine plays hold music and prompts with (--media-num-threads). One thread sends 50,000 packets/s (1,000 callers on hold) in about two thirds of a core here; more threads cost more CPU for the same audio.',
      1,
      64,
    ).default(1),
    port_min: integer('Lowest RTP port rtpengine uses.', 1024, 65535).default(30_000),
    port_max: integer('Highest RTP port rtpengine uses.', 1024, 65535).default(40_000),
    timeout: duration('End a call when no media arrives for this long.', { min: 1000 }).prefault('60s'),
  },
  'rtpengine media relay.',
).superRefine((r, c) => {
  if (r.port_max < r.port_min) c.addIssue({ code: 'custom', path: ['port_max'], message: `port_max (${r.port_max}) must not be below port_min (${r.port_min})` });
});

export const mediaSchema = mapping(
  {
    rtpengine: rtpengineSchema.prefault({}),
    files: filePath('Directory of prompts, greetings and music; other file paths in this configuration are relative to it.').default('config/media'),
    voicemail: filePath('Directory of voicemail boxes: each box keeps its messages (WAV + JSON sidecar) in a subdirectory named after it.').default(
      'var/voicemail',
    ),
    recordings: filePath('Directory call recordings go to (rtpengine writes pcaps/ and metadata/ there; Switchboard adds a JSON sidecar per call).').default(
      'var/recordings',
    ),
  },
  'Media settings.',
);

export const cdrSchema = mapping(
  { path: filePath('File that call detail records are appended to (JSON lines). Absent: no CDR file.').optional() },
  'Call detail records.',
);

export const queueLogSchema = mapping(
  { path: filePath('File that queue events are appended to (JSON lines). Absent: no queue log.').optional() },
  'Queue event log.',
);

export const adminSchema = mapping(
  {
    listen: hostPort('Where the admin HTTP API listens.', '127.0.0.1:8080').default('127.0.0.1:8080'),
    token: z
      .string()
      .min(16)
      .describe('Bearer token for the admin API, at least 16 characters. Required when `listen` is not loopback.')
      .optional(),
  },
  'Admin HTTP API.',
).superRefine((a, c) => {
  const hp = splitHostPort(a.listen);
  if (hp && !isLoopback(hp.host) && a.token === undefined) {
    c.addIssue({ code: 'custom', path: ['token'], message: `a token is required because the admin API listens on ${a.listen}, which is not loopback` });
  }
});

export const logSchema = mapping(
  {
    level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Lowest level written to the log.'),
  },
  'Logging.',
);
