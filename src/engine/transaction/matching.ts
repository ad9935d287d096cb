import { isRfc3261Branch, type SipRequest, type SipResponse } from '../message/index.js';

/**
 * Transaction keys (RFC 3261 §17.1.3, §17.2.3). One string per transaction, so matching
 * a message is one Map lookup.
 *
 * Server, RFC 3261 branch: branch + sent-by + method, with ACK folded onto INVITE (an
 * ACK for a non-2xx has the INVITE's branch), plus Call-ID and CSeq number: every
 * legitimate match (retransmission, ACK, CANCEL) shares them, and they keep two requests
 * from careless or hostile peers that reuse a branch (the RFC 4475 messages all use
 * `z9hG4bKkdjuw`) from landing in one transaction. Without the magic cookie (RFC 2543 peers,
 * and the bare `z9hG4bK` of RFC 4475 §3.2.1) the key is built from Call-ID, CSeq number,
 * From tag and the top Via's sent-by instead. The RFC also compares the Request-URI and
 * the To tag; leaving them out keeps the ACK of an RFC 2543 peer (whose To gained our
 * tag) on the INVITE's key without a second index, at the cost of treating two requests
 * that differ only there as one — which no RFC 2543 client sends.
 */
// Keys are built with join, not `+`/templates: a template of five parts is a chain of
// rope strings, and each lingering transaction (Timer J/L, 32 s) kept the whole chain.
export function serverKey(req: SipRequest, method: string = req.method): string | undefined {
  const via = req.via;
  if (via === null) return undefined;
  const m = method === 'ACK' ? 'INVITE' : method;
  const host = via.host.toLowerCase();
  const sentBy = via.port === undefined ? host : [host, via.port].join(':');
  if (isRfc3261Branch(via.branch)) return [via.branch, sentBy, m, req.callId, req.cseq.seq].join('|');
  return ['2543', req.callId, req.cseq.seq, req.fromTag ?? '', sentBy, m].join('|');
}

/** Client key: the branch we put in the top Via, and the CSeq method (CANCEL shares the INVITE's branch). */
export function clientKey(branch: string, method: string): string {
  return [branch, method].join('|');
}

/** The client key a response matches, or undefined when it has no usable top Via. */
export function responseKey(res: SipResponse): string | undefined {
  const branch = res.via?.branch;
  if (branch === undefined) return undefined;
  return clientKey(branch, res.cseq.method);
}
