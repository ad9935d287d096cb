import { parseMessage, type SipRequest, type SipResponse } from '../../src/engine/message/index.js';

/** Joins lines with CRLF and ends the header section; `body` is appended as is. */
export function sip(lines: string[], body = ''): Buffer {
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body);
}

export function parseRequest(buf: Buffer | string): SipRequest {
  const r = parseMessage(typeof buf === 'string' ? Buffer.from(buf) : buf);
  if (!r.ok) throw new Error(`expected a request, got failure: ${r.failure.reason}`);
  if (!r.message.isRequest) throw new Error('expected a request, got a response');
  return r.message;
}

export function parseResponse(buf: Buffer | string): SipResponse {
  const r = parseMessage(typeof buf === 'string' ? Buffer.from(buf) : buf);
  if (!r.ok) throw new Error(`expected a response, got failure: ${r.failure.reason}`);
  if (r.message.isRequest) throw new Error('expected a response, got a request');
  return r.message;
}

export const BASIC_INVITE = [
  'INVITE sip:bob@192.0.2.4 SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: "Alice A." <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@192.0.2.1:5060;transport=udp>',
  'Content-Type: application/sdp',
];

/**
 * An out-of-dialog request from a test peer on loopback to the engine, as text: Via with
 * the peer's port, From tag `f1`, Contact for INVITE/SUBSCRIBE/REGISTER.
 *
 * @example loopbackRequest('OPTIONS', { callId: 'c1', to: engine.udpPort, from: peer.port })
 */
export function loopbackRequest(
  method: string,
  o: { callId: string; to: number; from: number; extra?: readonly string[]; body?: string; maxForwards?: number },
): string {
  const contact = method === 'INVITE' || method === 'SUBSCRIBE' || method === 'REGISTER' ? [`Contact: <sip:t@127.0.0.1:${o.from}>`] : [];
  const body = o.body ?? '';
  return (
    [
      `${method} sip:svc@127.0.0.1:${o.to} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${o.from};branch=z9hG4bK-${o.callId}`,
      `Max-Forwards: ${o.maxForwards ?? 70}`,
      'From: <sip:t@127.0.0.1>;tag=f1',
      'To: <sip:svc@127.0.0.1>',
      `Call-ID: ${o.callId}`,
      `CSeq: 1 ${method}`,
      ...contact,
      ...(o.extra ?? []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n')
  );
}
