import type { Socket } from 'node:net';
import { encodeFrame } from './frame-decoder.js';

let msgCounter = 0;

/** A message id for frames the engine originates: unique, short, never `unsolicited`. */
export function newMsgId(): string {
  msgCounter = (msgCounter + 1) % Number.MAX_SAFE_INTEGER;
  return 'sb' + msgCounter.toString(36);
}

/**
 * One drachtio-srf application connected to the engine. Frames written during one
 * turn of the event loop are coalesced into one socket write: the engine often sends
 * several frames per SIP message (echo, then a response), and syscalls dominate.
 */
export class AppConnection {
  readonly id: number;
  authenticated = false;
  tags: string[] = [];
  readonly verbs = new Set<string>();
  closed = false;
  private corked = false;
  private lastRefusalLog = 0;

  constructor(
    id: number,
    readonly socket: Socket,
  ) {
    this.id = id;
  }

  get remote(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  /** Writes one frame with the given payload. */
  send(payload: string): void {
    if (this.closed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(this.uncork);
    }
    this.socket.write(encodeFrame(payload));
  }

  /** Answers an application frame: `<id>|response|<appMsgId>|<tokens…>[\r\n<sip>]`. */
  reply(appMsgId: string, tokens: string, sipText?: string): void {
    const leader = `${newMsgId()}|response|${appMsgId}|${tokens}`;
    this.send(sipText === undefined ? leader : `${leader}\r\n${sipText}`);
  }

  /** Sends a frame the engine originates (`sip`, `cdr:*`): `<newMsgId>|<payload>`. */
  notify(payload: string): void {
    this.send(`${newMsgId()}|${payload}`);
  }

  /** True at most once a minute, so refusals on one connection cannot flood the log. */
  shouldLogRefusal(now = Date.now()): boolean {
    if (now - this.lastRefusalLog < 60_000) return false;
    this.lastRefusalLog = now;
    return true;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  };
}
