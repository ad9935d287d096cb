/**
 * Digest nonces that prove their own validity, used at most once.
 *
 * A nonce is base64url(issue time ‖ 12 random bytes ‖ HMAC-SHA-256 truncated to 16
 * bytes) under a per-process secret: a forged or foreign nonce (another process, an
 * earlier run) is refused without any storage, and issuing a challenge stores nothing.
 *
 * Only nonces that were *used* by a verified request are remembered, in time buckets
 * by issue time; a bucket is dropped whole once every nonce in it has expired, so there
 * is no timer per nonce and no scan of all entries. When the remembered set reaches its
 * cap, the oldest bucket is dropped and every nonce issued up to its end is treated as
 * stale from then on: memory stays bounded and a forgotten nonce still cannot be
 * replayed (the honest client just retries with a fresh one).
 *
 * @example
 *   const nonces = new NonceService({ ttlMs: 30_000 });
 *   const nonce = nonces.issue(now);
 *   nonces.check(nonce, now);      // 'fresh'
 *   nonces.markUsed(nonce, now);   // after the credentials verified
 *   nonces.check(nonce, now);      // 'used'
 *   nonces.check(nonce, now + 31_000); // 'stale'
 */
import { createHmac, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';
import { SwitchboardError } from '../util/errors.js';

/**
 * `fresh`: ours, unexpired, not used yet. `stale`: ours but expired (challenge again with
 * stale=true). `used`: ours, already accepted once. `invalid`: not ours (forged, foreign,
 * or garbage).
 */
export type NonceState = 'fresh' | 'stale' | 'used' | 'invalid';

export interface NonceOptions {
  /** How long a nonce may be used after it was issued (config `security.auth.nonce_ttl`). */
  readonly ttlMs: number;
  /** HMAC key; default 32 random bytes per process. */
  readonly secret?: Uint8Array;
  /** Most used nonces remembered at once. */
  readonly maxRemembered?: number;
}

const TIME_BYTES = 6; // 48-bit millisecond timestamps last until the year 10889
const RANDOM_BYTES = 12;
const MAC_BYTES = 16;
const BODY_BYTES = TIME_BYTES + RANDOM_BYTES;
const NONCE_BYTES = BODY_BYTES + MAC_BYTES;
const NONCE_LENGTH = Math.ceil((NONCE_BYTES * 4) / 3); // base64url without padding
const BUCKETS_PER_TTL = 8;

export class NonceService {
  readonly ttlMs: number;
  private readonly secret: Uint8Array;
  private readonly maxRemembered: number;
  private readonly bucketMs: number;
  /** Bucket index (issue time / bucketMs) -> used nonces issued in it; Map keeps insertion order. */
  private readonly buckets = new Map<number, Set<string>>();
  private remembered = 0;
  /** Nonces issued before this instant count as stale (their bucket was dropped to stay under the cap). */
  private forgottenBefore = -Infinity;
  /** Random bytes drawn 4 KiB at a time: one system call per ~340 nonces, not one each. */
  private readonly pool = Buffer.alloc(4096);
  private poolAt = this.pool.length;
  private readonly scratch = Buffer.alloc(NONCE_BYTES);

  constructor(o: NonceOptions) {
    if (!(o.ttlMs > 0)) throw new SwitchboardError('SB_INTERNAL', `nonce ttl must be positive, got ${o.ttlMs}`);
    this.ttlMs = o.ttlMs;
    this.secret = o.secret ?? randomBytes(32);
    this.maxRemembered = o.maxRemembered ?? 100_000;
    this.bucketMs = Math.max(1, Math.ceil(o.ttlMs / BUCKETS_PER_TTL));
  }

  /** A new nonce issued at `now` (ms). Stores nothing. */
  issue(now: number): string {
    const body = this.scratch;
    body.writeUIntBE(Math.max(0, Math.floor(now)), 0, TIME_BYTES);
    if (this.poolAt + RANDOM_BYTES > this.pool.length) {
      randomFillSync(this.pool);
      this.poolAt = 0;
    }
    this.pool.copy(body, TIME_BYTES, this.poolAt, (this.poolAt += RANDOM_BYTES));
    this.mac(body.subarray(0, BODY_BYTES)).copy(body, BODY_BYTES);
    return body.toString('base64url');
  }

  /** What the nonce is worth at `now`. No side effect except sweeping expired buckets. */
  check(nonce: string, now: number): NonceState {
    const issuedAt = this.issuedAt(nonce);
    if (issuedAt === undefined) return 'invalid';
    this.sweep(now);
    if (now - issuedAt > this.ttlMs || issuedAt < this.forgottenBefore) return 'stale';
    return this.buckets.get(this.bucketOf(issuedAt))?.has(nonce) ? 'used' : 'fresh';
  }

  /** Records that a verified request used the nonce; call only after `check` said `fresh`. */
  markUsed(nonce: string, now: number): void {
    const issuedAt = this.issuedAt(nonce);
    if (issuedAt === undefined) return;
    const index = this.bucketOf(issuedAt);
    let bucket = this.buckets.get(index);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(index, bucket);
    }
    if (bucket.has(nonce)) return;
    bucket.add(nonce);
    this.remembered++;
    while (this.remembered > this.maxRemembered) this.dropOldest();
    this.sweep(now);
  }

  /** Used nonces currently remembered (for tests and metrics). */
  get size(): number {
    return this.remembered;
  }

  private mac(body: Uint8Array): Buffer {
    return createHmac('sha256', this.secret).update(body).digest().subarray(0, MAC_BYTES);
  }

  private issuedAt(nonce: string): number | undefined {
    if (typeof nonce !== 'string' || nonce.length !== NONCE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(nonce)) return undefined;
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES) return undefined;
    if (!timingSafeEqual(this.mac(raw.subarray(0, BODY_BYTES)), raw.subarray(BODY_BYTES))) return undefined;
    return raw.readUIntBE(0, TIME_BYTES);
  }

  private bucketOf(issuedAt: number): number {
    return Math.floor(issuedAt / this.bucketMs);
  }

  /**
   * Drops buckets whose every nonce has expired. Live buckets span one ttl of issue
   * times, so there are at most BUCKETS_PER_TTL + 1 of them: constant work per call.
   */
  private sweep(now: number): void {
    for (const [index, bucket] of this.buckets) {
      if ((index + 1) * this.bucketMs + this.ttlMs > now) continue;
      this.remembered -= bucket.size;
      this.buckets.delete(index);
    }
  }

  private dropOldest(): void {
    let oldest = Infinity;
    for (const index of this.buckets.keys()) oldest = Math.min(oldest, index);
    const bucket = this.buckets.get(oldest);
    if (!bucket) return;
    this.remembered -= bucket.size;
    this.buckets.delete(oldest);
    this.forgottenBefore = Math.max(this.forgottenBefore, (oldest + 1) * this.bucketMs);
  }
}
