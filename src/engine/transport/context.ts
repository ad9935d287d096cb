import type { Logger } from '../../util/logger.js';
import { SwitchboardError } from '../../util/errors.js';
import { ConnectionTable } from './connection-table.js';
import { TransportCounters } from './counters.js';
import type { TransportOptions } from './options.js';
import type { StreamConnection } from './stream-connection.js';
import type { Destination, SendErrorHandler, TransportHandlers } from './types.js';

/**
 * What a TransportLayer shares with its transports and connections: one instance per
 * layer, passed by reference, so nothing on the message path looks anything up.
 *
 * @example
 *   const ctx = new TransportContext(resolveTransportOptions(), handlers, silentLogger);
 *   const udp = await UdpTransport.listen(parseListenSpec('udp:127.0.0.1:0'), ctx);
 */
export class TransportContext {
  readonly counters = new TransportCounters();
  readonly connections = new ConnectionTable<StreamConnection>();
  private lastHandlerLog = -Infinity;
  private handlerErrorsUnlogged = 0;

  constructor(
    readonly options: Readonly<TransportOptions>,
    readonly handlers: TransportHandlers,
    readonly logger: Logger,
  ) {}

  /**
   * The stack threw from a handler. That is a bug upstream, but one bad message must
   * not take the socket (or the process) down with it. Logged at most once a second.
   */
  handlerFailed(err: unknown): void {
    this.counters.handlerErrors++;
    const now = performance.now();
    if (now - this.lastHandlerLog < 1000) {
      this.handlerErrorsUnlogged++;
      return;
    }
    this.lastHandlerLog = now;
    this.logger.error({ err, suppressed: this.handlerErrorsUnlogged }, 'transport handler threw; message dropped');
    this.handlerErrorsUnlogged = 0;
  }

  /** Counts a failed send and tells the sender on a later tick, never inside send(). */
  sendFailed(message: string, dest: Destination, onError: SendErrorHandler | undefined, cause?: unknown): void {
    this.counters.sendErrors++;
    if (onError !== undefined) process.nextTick(onError, new SwitchboardError('SB_TRANSPORT', message, { cause }), dest);
  }
}
