import { randomBytes } from 'node:crypto';

/**
 * Identifiers the engine hands out. A random per-process prefix plus a counter: unique
 * for the process lifetime, unguessable enough across restarts, and far cheaper than a
 * UUID per message. None contains `|`, CR or LF (drachtio wire tokens).
 */
const PREFIX = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x');
let txnCounter = 0;
let tagCounter = 0;

/** A transaction id for the wire (`stackTxnId`); never the reserved `unsolicited`. */
export function newTxnId(): string {
  txnCounter = (txnCounter + 1) % Number.MAX_SAFE_INTEGER;
  return PREFIX + '.' + txnCounter.toString(36);
}

/** The counter inside a transaction id this process made, or undefined for any other string. */
export function txnCounterOf(id: string): number | undefined {
  if (id.length <= PREFIX.length + 1 || !id.startsWith(PREFIX) || id.charCodeAt(PREFIX.length) !== 0x2e) return undefined;
  const n = parseInt(id.slice(PREFIX.length + 1), 36);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Random bytes drawn 4 KiB at a time: one call into the CSPRNG per few hundred tags, not one per tag. */
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

/** A From/To tag (RFC 3261 §19.3: at least 32 bits of randomness, here 48 plus a counter). */
export function newTag(): string {
  tagCounter = (tagCounter + 1) % Number.MAX_SAFE_INTEGER;
  return randomHex(6) + tagCounter.toString(36);
}

/** A Call-ID for requests the application sends without one. */
export function newCallId(): string {
  return randomHex(12);
}

/** drachtio's initial CSeq: time-derived, below 2^27 so a long dialog never wraps. */
export function initialCSeq(nowMs: number = Date.now()): number {
  return (Math.floor(nowMs / 1000) >>> 1) & 0x7ffffff || 1;
}
