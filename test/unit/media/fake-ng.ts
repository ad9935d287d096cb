/**
 * An NgTransport double: records every command and answers from a script, or stays
 * silent so that the command times out on the (fake) clock like a dead rtpengine.
 */
import { SwitchboardError } from '../../../src/util/errors.js';
import type { NgCommand, NgParams, NgReply, NgTransport } from '../../../src/media/ng-transport.js';

export type FakeAnswer = NgReply | 'silent';

export class FakeNg implements NgTransport {
  readonly sent: { command: NgCommand; params: NgParams; at: number }[] = [];
  /** While true every command goes unanswered. */
  dead = false;
  closed = false;
  private readonly held: (() => void)[] = [];
  /** When set, replies wait until release() (to observe commands in flight). */
  hold = false;

  constructor(private readonly answer: (command: NgCommand, params: NgParams) => FakeAnswer = defaultAnswer) {}

  send(command: NgCommand, params: NgParams, timeoutMs: number): Promise<NgReply> {
    this.sent.push({ command, params, at: Date.now() });
    const reply = this.dead ? 'silent' : this.answer(command, params);
    return new Promise((resolve, reject) => {
      if (reply === 'silent') {
        setTimeout(() => reject(new SwitchboardError('SB_MEDIA_UNAVAILABLE', `fake: ${command} timed out`)), timeoutMs);
        return;
      }
      if (this.hold) this.held.push(() => resolve(reply));
      else queueMicrotask(() => resolve(reply));
    });
  }

  release(): void {
    this.hold = false;
    for (const r of this.held.splice(0)) r();
  }

  count(command: NgCommand): number {
    return this.sent.filter((s) => s.command === command).length;
  }

  close(): void {
    this.closed = true;
  }
}

export function defaultAnswer(command: NgCommand, params: NgParams): NgReply {
  switch (command) {
    case 'ping':
      return { result: 'pong' };
    case 'offer':
    case 'answer':
      return { result: 'ok', sdp: `v=0\r\ns=${String(params['call-id'])}\r\nm=audio 30000 RTP/AVP 0\r\n` };
    case 'play media':
      return { result: 'ok', duration: 1000 };
    default:
      return { result: 'ok' };
  }
}
