import type { Socket } from 'node:net';
import type Srf from 'drachtio-srf';

/**
 * Tunes the control connection drachtio-srf opens to the SIP server, without changing
 * drachtio-srf itself: writes are corked while the application handles what arrived in
 * one event-loop turn, and go out in one `writev` when the turn's I/O is done
 * (`setImmediate`). drachtio-srf writes every frame on its own, and each write was a
 * syscall that woke the engine. Writes outside a turn that read data (pings, timers)
 * go out at once, as before.
 */
export function tuneWireConnection(srf: Srf): void {
  const wp = (srf as unknown as { app?: { client?: { wp?: NodeJS.EventEmitter } } }).app?.client?.wp;
  // A different drachtio-srf version: nothing to tune, everything still works.
  if (wp === undefined) return;
  wp.on('connect', (socket: Socket) => corkPerTurn(socket));
}

/** Corks the socket from the first data of a turn until the turn's I/O callbacks have run. */
export function corkPerTurn(socket: Socket): void {
  let corked = false;
  const flush = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.prependListener('data', () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(flush);
  });
}
