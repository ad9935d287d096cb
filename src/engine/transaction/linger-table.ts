import type { Destination } from '../transport/index.js';

/** A lingering transaction that only swallows copies: an ACKed INVITE server (Timer L), a finished UDP non-INVITE client (Timer K). */
export const LINGER_ABSORB = 0;
/** A finished UDP non-INVITE server (Timer J): a copy of the request gets the kept answer, routed by the copy. */
export const LINGER_ANSWER = 1;
/** An answered INVITE client whose dialog ended (Timer M): its 2xx again gets the kept ACK; another fork's 2xx goes to the TU. */
export const LINGER_REACK = 2;
export type LingerKind = typeof LINGER_ABSORB | typeof LINGER_ANSWER | typeof LINGER_REACK;
/** Server and client keys live in one table but never match each other (a crafted branch could make the strings equal). */
export const SERVER_SIDE = 0x5e;
export const CLIENT_SIDE = 0xc1;
export type LingerSide = typeof SERVER_SIDE | typeof CLIENT_SIDE;

/** Checked between sweeps: a found entry is always current. */
const SWEEP_EVERY_MS = 250;

/**
 * What finished transactions still do while they linger (Timer J, K, L, M), kept outside
 * the JavaScript heap: typed arrays and one byte ring, which the garbage collector never
 * walks. At 1,500 calls a second three transactions a call linger for 32 s, some 150,000
 * at once; as objects they made every major collection of the engine's heap mark for
 * 40–50 ms (docs/engine-transactions.md, "Lingering outside the heap").
 *
 * - entries: a ring of columns (hash, kind, expiry, bytes, destination, tag, CSeq), in the
 *   order they came; all windows are about the same length, so they expire from the head;
 * - index: open addressing with linear probing on a 64-bit hash of the transaction key
 *   (two 32-bit halves), load ≤ 0.5, deleted by backward shift (no tombstones);
 * - bytes: the answers and ACKs to send again, appended to a ring that frees from its head
 *   as entries expire;
 * - destinations: the few shared UDP destinations (and stream ones), counted by use.
 *
 * Two keys with the same 64-bit hash would be taken for one (odds below 10⁻⁹ at 150,000
 * entries); a found entry past its expiry counts as gone, so sweeping late changes nothing.
 *
 * @example
 *   table.add(SERVER_SIDE, key, LINGER_ANSWER, deadline, answerBytes);
 *   const at = table.find(SERVER_SIDE, key);       // -1 when absent or expired
 *   if (at >= 0 && table.kindAt(at) === LINGER_ANSWER) send(table.bytesAt(at), dest);
 */
export class LingerTable {
  private cap: number;
  private hashA: Int32Array;
  private hashB: Int32Array;
  private kinds: Uint8Array;
  private expiry: Float64Array;
  private offs: Int32Array;
  private lens: Int32Array;
  private dests: Int32Array;
  private tags: Int32Array;
  private cseqs: Uint32Array;
  private head = 0;
  private count = 0;
  /** Entry position + 1 per slot; 0 is free. */
  private slots: Int32Array;
  private bytes: Buffer;
  private bHead = 0;
  private bTail = 0;
  private bEntries = 0;
  private readonly destRefs: Array<Destination | undefined> = [];
  private readonly destIds = new Map<Destination, number>();
  private readonly destUses: number[] = [];
  private readonly freeDests: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Set by the last hash(): the second half. */
  private lastB = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    initialEntries = 1024,
    initialBytes = 64 * 1024,
  ) {
    this.cap = powerOfTwo(initialEntries);
    this.hashA = new Int32Array(this.cap);
    this.hashB = new Int32Array(this.cap);
    this.kinds = new Uint8Array(this.cap);
    this.expiry = new Float64Array(this.cap);
    this.offs = new Int32Array(this.cap);
    this.lens = new Int32Array(this.cap);
    this.dests = new Int32Array(this.cap);
    this.tags = new Int32Array(this.cap);
    this.cseqs = new Uint32Array(this.cap);
    this.slots = new Int32Array(2 * this.cap);
    this.bytes = Buffer.allocUnsafeSlow(powerOfTwo(initialBytes));
  }

  /** Entries kept, expired ones not yet swept included. */
  get size(): number {
    return this.count;
  }

  /** Bytes of the answers and ACKs kept (with what the ring wastes at its wrap). */
  get byteSize(): number {
    if (this.bEntries === 0) return 0;
    return this.bTail > this.bHead ? this.bTail - this.bHead : this.bytes.length - this.bHead + this.bTail;
  }

  /** Size of the byte ring (it only grows). */
  get byteCapacity(): number {
    return this.bytes.length;
  }

  /**
   * Keeps a lingering transaction until `expiresAt` (the clock given to the constructor).
   * `bytes` are copied; `tag` and `cseq` are what a REACK entry's 2xx must carry.
   */
  add(side: LingerSide, key: string, kind: LingerKind, expiresAt: number, bytes?: Buffer, dest?: Destination, tag?: string, cseq = 0): void {
    if (this.closed) return;
    if (this.count === this.cap) this.growEntries();
    const n = bytes === undefined ? 0 : bytes.length;
    // Placed before the entry counts, so a growing ring copies only what it already keeps.
    const off = n === 0 ? 0 : this.place(n);
    const p = (this.head + this.count) & (this.cap - 1);
    this.count++;
    this.hashA[p] = this.hash(key, side);
    this.hashB[p] = this.lastB;
    this.kinds[p] = kind;
    this.expiry[p] = expiresAt;
    this.dests[p] = dest === undefined ? 0 : this.destId(dest) + 1;
    this.tags[p] = tag === undefined ? 0 : this.hash(tag, 0);
    this.cseqs[p] = cseq;
    this.lens[p] = n;
    this.offs[p] = off;
    if (n > 0) {
      bytes!.copy(this.bytes, off);
      this.bEntries++;
    }
    this.index(p);
    if (this.timer === undefined) this.armSweep();
  }

  /** The position of the live entry for `key`, or -1. */
  find(side: LingerSide, key: string): number {
    if (this.count === 0) return -1;
    const a = this.hash(key, side);
    const b = this.lastB;
    const now = this.now();
    const mask = this.slots.length - 1;
    for (let i = home(a) & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) return -1;
      const p = s - 1;
      if (this.hashA[p] === a && this.hashB[p] === b && this.expiry[p]! > now) return p;
    }
  }

  kindAt(p: number): LingerKind {
    return this.kinds[p] as LingerKind;
  }

  /** A copy of the kept bytes, or undefined: a send may hold its buffer past the entry's life (a busy TCP connection). */
  bytesAt(p: number): Buffer | undefined {
    const n = this.lens[p]!;
    return n === 0 ? undefined : Buffer.from(this.bytes.subarray(this.offs[p]!, this.offs[p]! + n));
  }

  destinationAt(p: number): Destination | undefined {
    const d = this.dests[p]!;
    return d === 0 ? undefined : this.destRefs[d - 1];
  }

  /** Whether `tag` is the one the entry was added with (by hash). */
  tagIs(p: number, tag: string | undefined): boolean {
    return tag !== undefined && this.hash(tag, 0) === this.tags[p];
  }

  cseqAt(p: number): number {
    return this.cseqs[p]!;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.count > 0) this.removeHead();
  }

  // ───────────── hashing and the index ─────────────

  /** FNV-1a and a Murmur-style mix over the UTF-16 units in one pass, seeded by side: returns the first half, leaves the second in lastB. */
  private hash(s: string, side: number): number {
    let a = (0x811c9dc5 ^ side) | 0;
    let b = (0x9747b28c ^ side) | 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.lastB = b ^ s.length;
    return a;
  }

  private index(p: number): void {
    const mask = this.slots.length - 1;
    let i = home(this.hashA[p]!) & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = p + 1;
  }

  /** Removes entry `p` from the index, shifting back what probed past it (Knuth's algorithm R). */
  private unindex(p: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = home(this.hashA[p]!) & mask;
    while (slots[i] !== p + 1) {
      if (slots[i] === 0) return;
      i = (i + 1) & mask;
    }
    slots[i] = 0;
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const k = home(this.hashA[slots[j]! - 1]!) & mask;
      // Move slot j back to the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (stays) continue;
      slots[i] = slots[j]!;
      slots[j] = 0;
      i = j;
    }
  }

  // ───────────── expiry ─────────────

  private armSweep(): void {
    if (this.count === 0 || this.closed) return;
    const wait = Math.max(SWEEP_EVERY_MS, this.expiry[this.head]! - this.now());
    this.timer = setTimeout(this.sweep, wait);
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    const now = this.now();
    while (this.count > 0 && this.expiry[this.head]! <= now) this.removeHead();
    this.armSweep();
  };

  private removeHead(): void {
    const p = this.head;
    this.unindex(p);
    if (this.lens[p]! > 0) {
      this.bHead = this.offs[p]! + this.lens[p]!;
      if (--this.bEntries === 0) this.bHead = this.bTail = 0;
    }
    const d = this.dests[p]!;
    if (d !== 0) this.releaseDest(d - 1);
    this.head = (p + 1) & (this.cap - 1);
    this.count--;
  }

  // ───────────── growth ─────────────

  /** Doubles the entry ring, its entries laid out again from position 0, and rebuilds the index. */
  private growEntries(): void {
    const { cap, head, count } = this;
    this.cap = 2 * cap;
    this.hashA = relaid(this.hashA, head, count, this.cap);
    this.hashB = relaid(this.hashB, head, count, this.cap);
    this.kinds = relaid(this.kinds, head, count, this.cap);
    this.expiry = relaid(this.expiry, head, count, this.cap);
    this.offs = relaid(this.offs, head, count, this.cap);
    this.lens = relaid(this.lens, head, count, this.cap);
    this.dests = relaid(this.dests, head, count, this.cap);
    this.tags = relaid(this.tags, head, count, this.cap);
    this.cseqs = relaid(this.cseqs, head, count, this.cap);
    this.head = 0;
    this.slots = new Int32Array(2 * this.cap);
    for (let p = 0; p < count; p++) this.index(p);
  }

  /** Room for `n` bytes at the ring's tail (wrapping to its start when that fits), growing the ring when neither does. */
  private place(n: number): number {
    const size = this.bytes.length;
    if (this.bEntries === 0 || this.bTail > this.bHead) {
      if (this.bTail + n <= size) return this.claim(this.bTail, n);
      // Strictly less: a full wrapped ring must not look empty (tail = head).
      if (n < this.bHead) return this.claim(0, n);
    } else if (this.bTail + n < this.bHead) return this.claim(this.bTail, n);
    this.growBytes(n);
    return this.claim(this.bTail, n);
  }

  private claim(at: number, n: number): number {
    this.bTail = at + n;
    return at;
  }

  /** Copies the kept bytes, in order, to the start of a ring at least twice the size. */
  private growBytes(n: number): void {
    const old = this.bytes;
    this.bytes = Buffer.allocUnsafeSlow(powerOfTwo(Math.max(2 * old.length, this.byteSize + n + 1)));
    let at = 0;
    for (let k = 0; k < this.count; k++) {
      const p = (this.head + k) & (this.cap - 1);
      const len = this.lens[p]!;
      if (len === 0) continue;
      old.copy(this.bytes, at, this.offs[p]!, this.offs[p]! + len);
      this.offs[p] = at;
      at += len;
    }
    this.bHead = 0;
    this.bTail = at;
  }

  // ───────────── destinations ─────────────

  private destId(dest: Destination): number {
    let id = this.destIds.get(dest);
    if (id === undefined) {
      id = this.freeDests.pop() ?? this.destRefs.length;
      this.destRefs[id] = dest;
      this.destUses[id] = 0;
      this.destIds.set(dest, id);
    }
    this.destUses[id]!++;
    return id;
  }

  private releaseDest(id: number): void {
    if (--this.destUses[id]! > 0) return;
    this.destIds.delete(this.destRefs[id]!);
    this.destRefs[id] = undefined;
    this.freeDests.push(id);
  }
}

type Column = Int32Array | Uint32Array | Uint8Array | Float64Array;

/** A column of a ring (`count` entries from `head`) copied to the start of a new column of `size`. */
function relaid<T extends Column>(old: T, head: number, count: number, size: number): T {
  const column = new (old.constructor as new (n: number) => T)(size);
  const first = Math.min(count, old.length - head);
  column.set(old.subarray(head, head + first) as never);
  column.set(old.subarray(0, count - first) as never, first);
  return column;
}

/** Murmur3's finaliser: FNV-1a's low bits alone cluster. */
function home(a: number): number {
  let h = a ^ (a >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function powerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
