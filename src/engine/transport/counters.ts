/**
 * Running totals for tests and metrics. One mutable instance per TransportLayer,
 * shared by its transports and incremented in place on the hot path (a field add,
 * nothing else); `snapshot()` copies it for readers.
 *
 * @example
 *   const c = new TransportCounters(); c.messagesIn++;
 *   c.snapshot().messagesIn // 1
 */
export class TransportCounters {
  /** Whole SIP messages handed to onMessage. */
  messagesIn = 0;
  /** Messages given to send() and written or queued. */
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** CRLF-only datagrams, double-CRLF pings on streams, STUN binding requests. */
  keepalivesIn = 0;
  /** CRLF pongs and STUN binding responses sent. */
  keepalivesOut = 0;
  /** Messages larger than maxMessageSize (datagrams and streams). */
  oversize = 0;
  /** Streams closed because Content-Length was unusable. */
  framingErrors = 0;
  /** Datagrams thrown away as not SIP: STUN other than a well-formed Binding request. */
  dropped = 0;
  /** Sends that failed: bad destination, no transport for it, connect failure, kernel refusal. */
  sendErrors = 0;
  /** The stack's onMessage threw; the message is lost, the transport carries on. */
  handlerErrors = 0;
  connectionsAccepted = 0;
  connectionsOpened = 0;
  /** Inbound connections destroyed at once because a connection limit was reached. */
  connectionsRefused = 0;
  connectionsClosed = 0;
  idleTimeouts = 0;
  messageTimeouts = 0;
  connectTimeouts = 0;
  writeOverflows = 0;

  snapshot(): TransportCounterValues {
    return { ...this };
  }
}

/** A copy of the counters at one moment. */
export type TransportCounterValues = { readonly [K in keyof TransportCounters as TransportCounters[K] extends number ? K : never]: number };
