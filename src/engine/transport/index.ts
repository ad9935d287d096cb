/**
 * SIP transports (RFC 3261 §18): UDP and TCP over IPv4 and IPv6, stream framing,
 * keep-alives, limits and response routing. Moves whole messages as Buffers and knows
 * nothing of SIP beyond framing. See docs/engine-transport.md.
 */
export { TransportLayer, type TransportLayerConfig, type Listener, type TransportStats } from './transport-layer.js';
export { responseDestination, receivedFor, rportFor, type RoutingVia } from './response-destination.js';
export { parseListenSpec, parseListenSpecs, formatListenSpec, DEFAULT_SIP_PORT, type ListenSpec } from './listen-spec.js';
export { resolveTransportOptions, DEFAULT_TRANSPORT_OPTIONS, type TransportOptions } from './options.js';
export { canonicalIp, type IpFamily } from './ip.js';
export { StreamFramer, type FrameSink, type FramingFault } from './stream-framer.js';
export type { TransportCounterValues } from './counters.js';
export {
  RELIABLE,
  type TransportName,
  type MessageSource,
  type Destination,
  type SendErrorHandler,
  type CloseReason,
  type ConnectionClosed,
  type TransportHandlers,
  type Transport,
} from './types.js';
