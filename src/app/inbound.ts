/**
 * The application's side of admission: the facts of a drachtio-srf request for the
 * InboundPolicy, and the reply for a request that is not admitted. A source the policy
 * blocks is handed to the engine (when it is the embedded one) so that its next requests
 * are dropped before any transaction exists; the engine drops scanners and (with
 * `unknown_sources: drop`) unauthenticated strangers itself, see `ingressOptions`.
 *
 * @example
 *   const a = policy.admit(requestFacts(req), now);
 *   if (a.kind !== 'trunk' && a.kind !== 'user') return refuse(res, a, req.source_address, blockSource, blockForMs);
 */
import type Srf from 'drachtio-srf';
import type { Admission } from '../admission/index.js';
import type { RequestFacts } from '../admission/index.js';
import type { Config } from '../config/index.js';
import type { IngressFilterOptions } from '../engine/core/ingress-filter.js';
import { userOf } from './user-of.js';

export function requestFacts(req: Srf.SrfRequest): RequestFacts {
  const auth = req.get('Authorization');
  const proxyAuth = req.get('Proxy-Authorization');
  const ua = req.get('User-Agent');
  return {
    method: req.method,
    sourceAddress: req.source_address,
    ...(ua === undefined ? {} : { userAgent: ua }),
    ...(auth === undefined ? {} : { authorization: auth }),
    ...(proxyAuth === undefined ? {} : { proxyAuthorization: proxyAuth }),
    requestUri: req.uri,
    fromUser: userOf(req.get('From') ?? ''),
  };
}

export type Refused = Exclude<Admission, { kind: 'trunk' } | { kind: 'user' }>;

/**
 * Replies to a request that was not admitted. drachtio has no way for an application to
 * drop a request it was given, so a `drop` the engine did not already make is answered
 * 403; the source is blocked in the engine when the policy blocked it.
 */
export function refuse(res: Srf.SrfResponse, a: Refused, source: string, blockSource: ((address: string, forMs: number) => void) | undefined, blockForMs: number): void {
  switch (a.kind) {
    case 'challenge':
      return res.send(a.status, { headers: { [a.headerName]: a.values } });
    case 'refuse':
      return res.send(a.status, a.status === 503 ? 'Service Unavailable' : 'Forbidden', a.retryAfter === undefined ? {} : { headers: { 'Retry-After': String(a.retryAfter) } });
    case 'drop':
      if (a.why === 'blocked') blockSource?.(source, blockForMs);
      return res.send(403, 'Forbidden', {});
  }
}

/** What the embedded engine turns away by itself, from the `security` section and the trunks. */
export function ingressOptions(config: Config): IngressFilterOptions {
  const s = config.security;
  const trunks = Object.values(config.trunks);
  return {
    scanners: s.scanners.user_agents,
    scannerAction: s.scanners.action,
    ...(s.unknown_sources === 'drop'
      ? {
          unknownSources: {
            trusted: trunks.flatMap((t) => (t.inbound?.digest === undefined ? (t.inbound?.sources ?? []) : [])),
            knownUsers: [
              ...Object.entries(config.users).flatMap(([name, u]) => (u.password === undefined ? [] : [name])),
              ...trunks.flatMap((t) => (t.inbound?.digest === undefined ? [] : [t.inbound.digest.username])),
            ],
          },
        }
      : {}),
  };
}
