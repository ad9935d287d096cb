import type { Destination, MessageSource } from '../transport/index.js';
import { wireTime } from '../wire/wire-time.js';

/**
 * Leaders of the frames the engine sends to applications
 * (docs/drachtio-wire-protocol.md §6.2, §6.3, §6.6). Plain string concatenation: these
 * run several times per call.
 */

/** `sip|network|…` for a message received from the network. `local` only for new out-of-dialog requests. */
export function networkFrame(
  text: string,
  source: MessageSource | Destination,
  txnId: string,
  dialogId: string,
  local?: MessageSource,
): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  let leader = `sip|network|${bytes}|${source.transport}|${source.address}|${source.port}|${wireTime()}|${txnId}|${dialogId}|`;
  if (local !== undefined) leader += `${local.localAddress}|${local.localPort}|`;
  return leader + '\r\n' + text;
}

/** `sip|application|…|unsolicited|<dialogId>|`: the engine ended a dialog on its own. */
export function unsolicitedFrame(text: string, dest: Destination, dialogId: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  return `sip|application|${bytes}|${dest.transport}|${dest.address}|${dest.port}|${wireTime()}|unsolicited|${dialogId}|\r\n${text}`;
}

/** Tokens after `OK|` of the echo of a response the application sent (§6.2). */
export function responseEchoTokens(text: string, dest: Destination, txnId: string, dialogId: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  return `OK|application|${bytes}|${dest.transport}|${dest.address}|${dest.port}|${wireTime()}|${txnId}|${dialogId}||Msg sent:|`;
}

/** Tokens of the echo of a request the application sent (§6.3): the new transaction id. */
export function requestEchoTokens(text: string, dest: Destination, txnId: string): string {
  const bytes = Buffer.byteLength(text, 'utf8');
  return `OK|application|${bytes}|${dest.transport}|${dest.address}|${dest.port}|${wireTime()}|${txnId}|Msg sent:|`;
}

/** `cdr:<event>|<source>|<time>[|<extra>]` */
export function cdrFrame(event: 'attempt' | 'start' | 'stop', source: 'network' | 'application', text: string, extra?: string): string {
  const tail = extra === undefined ? '' : `|${extra}`;
  return `cdr:${event}|${source}|${wireTime()}${tail}\r\n${text}`;
}
