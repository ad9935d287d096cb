import { formatVia, type SipRequest } from '../message/index.js';
import { receivedFor, rportFor, type MessageSource } from '../transport/index.js';

/**
 * Adds `received` and fills `rport` in the top Via of a request as it arrives
 * (RFC 3261 §18.2.1, RFC 3581 §4), so that responses and the copy an application sees
 * say where the request really came from. Leaves the message untouched — and its
 * original bytes reusable — when the Via already matches the source.
 *
 * @example stampVia(request, source) // Via: SIP/2.0/UDP pc33.example.com;rport → …;received=192.0.2.4;rport=5060
 */
export function stampVia(req: SipRequest, source: MessageSource): void {
  const via = req.via;
  if (via === null) return;
  const received = receivedFor(via, source);
  const rport = rportFor(via, source);
  if (received === undefined && rport === undefined) return;
  const params = new Map(via.params);
  if (received !== undefined) params.set('received', received);
  if (rport !== undefined) params.set('rport', String(rport));
  req.removeFirstValue('via');
  req.prepend('Via', formatVia({ ...via, params }));
}
