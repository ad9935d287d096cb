import { headerName } from './headers.js';
import { SipRequest, SipResponse, type HeaderField } from './message.js';

/** Standard reason phrases for the statuses Switchboard sends itself. */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout', 410: 'Gone',
  413: 'Request Entity Too Large', 415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme',
  420: 'Bad Extension', 421: 'Extension Required', 422: 'Session Interval Too Small', 423: 'Interval Too Brief',
  480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected',
  483: 'Too Many Hops', 484: 'Address Incomplete', 486: 'Busy Here', 487: 'Request Terminated',
  488: 'Not Acceptable Here', 489: 'Bad Event', 491: 'Request Pending', 500: 'Server Internal Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Server Time-out',
  505: 'Version Not Supported', 513: 'Message Too Large', 600: 'Busy Everywhere', 603: 'Decline',
  604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
};

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? (status < 200 ? 'Progress' : status < 300 ? 'OK' : 'Error');
}

function field(name: string, value: string): HeaderField {
  const info = headerName(name);
  return { name: info.canonical, key: info.key, value };
}

/**
 * Builds a response to `req` per RFC 3261 §8.2.6.2: Via (all values), From, To,
 * Call-ID and CSeq copied; a To tag added when given and the request has none
 * (a 100 Trying never gets one).
 *
 * @example createResponse(invite, 486, { toTag: 'x7f3' })
 */
export function createResponse(
  req: SipRequest,
  status: number,
  opts: { reason?: string; toTag?: string; headers?: ReadonlyArray<readonly [string, string]> } = {},
): SipResponse {
  const headers: HeaderField[] = [];
  for (const h of req.headers) {
    if (h.key === 'via' || h.key === 'from' || h.key === 'call-id' || h.key === 'cseq') headers.push(h);
    else if (h.key === 'to') {
      const needsTag = status > 100 && opts.toTag !== undefined && req.toTag === undefined;
      headers.push(needsTag ? { name: h.name, key: h.key, value: `${h.value};tag=${opts.toTag}` } : h);
    }
  }
  for (const [name, value] of opts.headers ?? []) headers.push(field(name, value));
  const res = new SipResponse(status, opts.reason ?? reasonPhrase(status), headers);
  return res;
}

/**
 * The ACK a client INVITE transaction sends for a non-2xx final response
 * (RFC 3261 §17.1.1.3): same Request-URI, Call-ID, From, CSeq number and top Via as
 * the INVITE, To from the response, and the INVITE's Route headers.
 */
export function createNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: HeaderField[] = [];
  const topVia = invite.getAll('via')[0];
  if (topVia !== undefined) headers.push(field('Via', topVia));
  for (const h of invite.headers) {
    if (h.key === 'from' || h.key === 'call-id' || h.key === 'route' || h.key === 'max-forwards') headers.push(h);
  }
  const to = response.get('to');
  if (to !== undefined) headers.push(field('To', to));
  headers.push(field('CSeq', `${invite.cseq.seq} ACK`));
  return new SipRequest('ACK', invite.uri, headers);
}

/**
 * A CANCEL for a pending INVITE (RFC 3261 §9.1): same Request-URI, Call-ID, From, To,
 * CSeq number and top Via (so it matches the INVITE's branch), the INVITE's Routes.
 */
export function createCancel(invite: SipRequest, extra: ReadonlyArray<readonly [string, string]> = []): SipRequest {
  const headers: HeaderField[] = [];
  const topVia = invite.getAll('via')[0];
  if (topVia !== undefined) headers.push(field('Via', topVia));
  for (const h of invite.headers) {
    if (h.key === 'from' || h.key === 'to' || h.key === 'call-id' || h.key === 'route' || h.key === 'max-forwards') headers.push(h);
  }
  headers.push(field('CSeq', `${invite.cseq.seq} CANCEL`));
  for (const [name, value] of extra) headers.push(field(name, value));
  return new SipRequest('CANCEL', invite.uri, headers);
}
