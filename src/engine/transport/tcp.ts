import { connect, createServer } from 'node:net';
import type { StreamSocketFactory } from './stream-transport.js';

/**
 * Plain TCP sockets for StreamTransport. Nagle is off: a SIP message is written in
 * one call and should leave at once, not wait for the previous segment's ACK.
 *
 * @example const tcp = await StreamTransport.listen(parseListenSpec('tcp:[::1]:5060'), tcpSocketFactory, ctx);
 */
export const tcpSocketFactory: StreamSocketFactory = {
  transport: 'tcp',
  readyEvent: 'connect',
  createServer: (onSocket) => createServer({ noDelay: true, allowHalfOpen: false }, onSocket),
  connect: ({ host, port, family, localAddress }) => connect({ host, port, family, localAddress, noDelay: true }),
};
