import { parseMessage, type SipRequest, type SipResponse } from '../message/index.js';
import { SwitchboardError } from '../../util/errors.js';

/** Parses bytes this engine sent or accepted before; they parsed once, so a failure is a bug. */
export function reparse(bytes: Buffer): SipRequest | SipResponse {
  const r = parseMessage(bytes);
  if (r.ok) return r.message;
  throw new SwitchboardError('SB_INTERNAL', `a released message could not be parsed again: ${r.failure.reason}`);
}
