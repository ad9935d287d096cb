import type { SipRequest } from '../message/index.js';

/** Methods the engine understands; anything else is answered 501 (RFC 3261 §8.2.1). */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE', 'INFO', 'REFER', 'NOTIFY',
  'SUBSCRIBE', 'MESSAGE', 'PUBLISH',
]);

/** Option tags the engine can honour when a request lists them in Require (RFC 3261 §8.2.2.3). */
export const SUPPORTED_EXTENSIONS: ReadonlySet<string> = new Set(['100rel', 'timer', 'replaces', 'norefersub', 'path', 'outbound']);

/** URI schemes the engine routes; others get 416 (RFC 3261 §8.2.2.1). */
const ROUTABLE_SCHEMES = new Set(['sip', 'sips', 'tel']);

export interface Rejection {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
}

/**
 * The checks a UAS makes before a request reaches a transaction user (RFC 3261
 * §8.2.1–§8.2.2), answered statelessly so that junk never creates state. ACK is never
 * answered. Returns undefined when the request may proceed.
 *
 * @example const r = checkRequest(req); if (r) sendStateless(createResponse(req, r.status, r));
 */
export function checkRequest(req: SipRequest): Rejection | undefined {
  const method = req.method;
  if (method === 'ACK') return undefined;
  if (!KNOWN_METHODS.has(method)) {
    return { status: 501, reason: 'Not Implemented', headers: [['Allow', [...KNOWN_METHODS].join(', ')]] };
  }
  const colon = req.uri.indexOf(':');
  const scheme = colon > 0 ? req.uri.slice(0, colon).toLowerCase() : '';
  if (!ROUTABLE_SCHEMES.has(scheme)) return { status: 416, reason: 'Unsupported URI Scheme', headers: [] };
  if (method !== 'CANCEL') {
    const required = req.getAll('require');
    if (required.length > 0) {
      const unsupported = required.filter((tag) => !SUPPORTED_EXTENSIONS.has(tag.toLowerCase()));
      if (unsupported.length > 0) return { status: 420, reason: 'Bad Extension', headers: [['Unsupported', unsupported.join(', ')]] };
    }
  }
  return undefined;
}
