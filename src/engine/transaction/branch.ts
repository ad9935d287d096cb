import { randomBytes } from 'node:crypto';
import { MAGIC_COOKIE } from '../message/index.js';

/** Per-process random part: branches stay unique across restarts without a random draw per request. */
const PREFIX = MAGIC_COOKIE + randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
let counter = 0;

/**
 * A new Via branch (RFC 3261 §8.1.1.7): the magic cookie, a random per-process part and a
 * counter — unique for the process lifetime and cheap.
 *
 * @example newBranch() // 'z9hG4bKq3Rk…x.1a'
 */
export function newBranch(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return PREFIX + '.' + counter.toString(36);
}
