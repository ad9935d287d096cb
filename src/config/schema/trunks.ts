/**
 * The `trunks` section: carriers and peers that send calls in (identified by source
 * address and/or digest credentials, with limits) and take calls out (gateways in
 * failover order).
 *
 * @example
 *   trunkSchema.parse({ inbound: { sources: ['203.0.113.0/24'], max_calls: 100 } });
 */
import * as z from 'zod';
import { cidr, duration, integer, mapping, sipUri } from './primitives.js';

const credentials = (what: string) =>
  mapping(
    {
      username: z.string().min(1).describe('Digest username.'),
      password: z.string().min(8).describe('Digest password (at least 8 characters).'),
    },
    what,
  );

const inboundSchema = mapping(
  {
    sources: z
      .array(cidr('An address or CIDR network, IPv4 or IPv6, e.g. "203.0.113.0/24" or "2001:db8::/32".'))
      .min(1)
      .describe('Source addresses this trunk sends from. The most specific match across all trunks wins.')
      .optional(),
    digest: credentials(
      'Credentials the trunk must authenticate with (digest). With `sources` as well, a call needs both the address and the credentials.',
    ).optional(),
    max_calls: integer('Most concurrent inbound calls from this trunk; more are refused with 503. Absent: no limit.', 1).optional(),
    max_cps: z
      .number()
      .positive()
      .max(100_000)
      .describe('Most new inbound calls per second from this trunk (may be fractional, e.g. 0.5); more are refused with 503. Absent: no limit.')
      .optional(),
  },
  'How calls from this trunk are recognised and limited.',
).superRefine((i, c) => {
  if (i.sources === undefined && i.digest === undefined) {
    c.addIssue({ code: 'custom', message: 'inbound needs `sources`, `digest`, or both, to recognise the trunk' });
  }
});

const outboundSchema = mapping(
  {
    gateways: z
      .array(sipUri('A gateway SIP URI, e.g. "sip:127.0.0.1:5080" or "sip:gw1.example.net;transport=tcp".'))
      .min(1)
      .describe('Gateways in failover order: the next is tried when one fails or is out of service.'),
    auth: credentials('Credentials for answering the gateways\' digest challenges.').optional(),
    failover_timeout: duration(
      'Try the next gateway when a gateway sends no response beyond 100 Trying within this time (it is then skipped for 30 s). A 503 with Retry-After skips it for that long.',
      { min: 200, max: 60_000 },
    ).prefault('4s'),
  },
  'Where calls through this trunk are sent.',
);

const codecName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9.\-]*$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a codec encoding name; use names such as PCMU, PCMA, G722, opus` })
  .describe('A codec encoding name as in SDP, e.g. PCMU, PCMA, G722, opus.');

const trunkMediaSchema = mapping(
  {
    codecs: z
      .array(codecName)
      .min(1)
      .describe('Codecs this trunk\'s leg may carry, in preference order; others are stripped from its SDP (telephone-event is always kept). Absent: whatever the endpoints offer.')
      .optional(),
    transcode: z
      .array(codecName)
      .min(1)
      .describe('Codecs rtpengine adds to the SDP towards this trunk and transcodes to when the other side lacks them.')
      .optional(),
    ptime: integer('Packetisation (ms) rtpengine sends to this trunk; it repacketises when the other side differs. Absent: unchanged.', 10, 120).optional(),
  },
  'Media options for calls to and from this trunk (applied by rtpengine when media is anchored).',
);

export const trunkSchema = mapping(
  {
    inbound: inboundSchema.optional(),
    outbound: outboundSchema.optional(),
    media: trunkMediaSchema.optional(),
  },
  'A SIP trunk: a carrier or peer.',
).superRefine((t, c) => {
  if (t.inbound === undefined && t.outbound === undefined) {
    c.addIssue({ code: 'custom', message: 'a trunk needs `inbound`, `outbound`, or both' });
  }
});
