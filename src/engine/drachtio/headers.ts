import { createResponse, formatNameAddr, parseNameAddr, splitList, type SipRequest, type SipResponse } from '../message/index.js';
import type { AppMessage } from './app-message.js';

/**
 * Header rules the engine applies to what applications send
 * (docs/drachtio-wire-protocol.md §10).
 */

/** drachtio-srf writes `sip:<user>@localhost`; the engine puts its own host:port there. */
export function replaceLocalhost(value: string, hostport: string): string {
  return value.includes('@localhost') ? value.replace(/@localhost(?![\w.-])/g, `@${hostport}`) : value;
}

/** The `tag` parameter of a From/To value. */
export function tagOf(value: string): string | undefined {
  const na = parseNameAddr(value);
  const tag = na?.params.get('tag');
  return tag === null || tag === undefined || tag.length === 0 ? undefined : tag;
}

/** A From/To value without its tag, as a dialog keeps its local and remote URIs. */
export function withoutTag(value: string): string {
  const na = parseNameAddr(value);
  if (na === null) return value;
  if (!na.params.has('tag')) return value;
  na.params.delete('tag');
  return formatNameAddr(na);
}

/** True when one of the values (Supported, Require lists) holds the option tag. */
export function hasOptionTag(values: readonly string[], tag: string): boolean {
  for (const v of values) for (const t of splitList(v)) if (t.toLowerCase() === tag) return true;
  return false;
}

/** Keys of the headers the engine sets itself from the request or the dialog. */
const FROM_REQUEST: ReadonlySet<string> = new Set(['from', 'to', 'call-id', 'cseq']);

/** Methods whose 101–299 responses carry the request's Record-Route (sofia's rule). */
const RECORD_ROUTED: ReadonlySet<string> = new Set(['INVITE', 'SUBSCRIBE', 'REFER', 'NOTIFY', 'UPDATE', 'MESSAGE']);

export interface ResponseParts {
  localTag: string | undefined;
  /** Contact to add when the application gave none (undefined: add none). */
  defaultContact: string | undefined;
  hostport: string;
  rseq?: number;
  extra?: ReadonlyArray<readonly [string, string]>;
}

/**
 * The response the engine sends for an application's answer (RFC 3261 §8.2.6): Via,
 * From, To (with our tag), Call-ID and CSeq from the request; Record-Route copied into
 * 101–299; Contact, Content-Type for SDP; then the application's own headers and body.
 */
export function buildResponse(req: SipRequest, app: AppMessage, parts: ResponseParts): SipResponse {
  const status = app.status;
  const res = createResponse(req, status, { reason: app.reason.length > 0 ? app.reason : undefined, toTag: status > 100 ? parts.localTag : undefined });
  if (status > 100 && status < 300 && RECORD_ROUTED.has(req.method)) {
    for (const h of req.headers) if (h.key === 'record-route') res.append('Record-Route', h.value);
  }
  let hasContact = false;
  let hasType = false;
  for (const h of app.headers) {
    if (FROM_REQUEST.has(h.key)) continue;
    if (h.key === 'contact') {
      hasContact = true;
      res.append('Contact', replaceLocalhost(h.value, parts.hostport));
      continue;
    }
    if (h.key === 'content-type') hasType = true;
    res.append(h.name, h.key === 'p-asserted-identity' ? replaceLocalhost(h.value, parts.hostport) : h.value);
  }
  if (!hasContact && parts.defaultContact !== undefined) res.append('Contact', parts.defaultContact);
  if (parts.rseq !== undefined) res.append('RSeq', String(parts.rseq));
  for (const [name, value] of parts.extra ?? []) res.append(name, value);
  if (app.body.length > 0) {
    if (!hasType && isSdp(app.body)) res.append('Content-Type', 'application/sdp');
    res.body = app.body;
  }
  return res;
}

/** A body is SDP when it starts with `v=0` (drachtio's test). */
export function isSdp(body: Buffer): boolean {
  return body.length >= 3 && body[0] === 0x76 && body[1] === 0x3d && body[2] === 0x30;
}

/** Parses `Session-Expires: N[;refresher=uac|uas]` (RFC 4028 §4). */
export function parseSessionExpires(value: string | undefined): { seconds: number; refresher: 'uac' | 'uas' | undefined } | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  const seconds = Number((semi < 0 ? value : value.slice(0, semi)).trim());
  if (!Number.isInteger(seconds) || seconds <= 0) return undefined;
  const m = /;\s*refresher\s*=\s*(uac|uas)/i.exec(value);
  return { seconds, refresher: m ? (m[1]!.toLowerCase() as 'uac' | 'uas') : undefined };
}
