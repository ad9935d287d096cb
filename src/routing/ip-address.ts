/**
 * IP address and CIDR parsing, and a longest-prefix-match table used to identify
 * inbound trunks by the source address of a request. No DNS: only literals.
 *
 * @example
 *   const table = new CidrTable<string>();
 *   table.add(parseCidr('203.0.113.0/24'), 'carrier-a');
 *   table.add(parseCidr('2001:db8::/32'), 'carrier-b');
 *   table.lookup('203.0.113.7')?.value;          // "carrier-a"
 *   table.lookup('::ffff:203.0.113.7')?.value;   // "carrier-a" (IPv4-mapped IPv6)
 */

export type IpFamily = 4 | 6;

/** An address as 32-bit words: one for IPv4, four (most significant first) for IPv6. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly words: readonly number[];
}

export interface Cidr {
  readonly address: IpAddress;
  readonly prefix: number;
  /** Canonical text, e.g. "10.0.0.0/8" or "2001:db8::/32". */
  readonly text: string;
}

/** Why a CIDR literal was refused, in words an operator can act on. */
export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

const V4_RE = /^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP_RE = /^[0-9a-fA-F]{1,4}$/;

function parseV4Word(text: string): number | undefined {
  const m = V4_RE.exec(text);
  if (!m) return undefined;
  let word = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    word = word * 256 + octet;
  }
  return word;
}

function parseV6Words(text: string): number[] | undefined {
  if (text.includes('%')) return undefined; // zone ids are interface-local, never a trunk address
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseV4Word(part);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (HEX_GROUP_RE.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push(((all[i]! << 16) | all[i + 1]!) >>> 0);
  return words;
}

/**
 * Parses an IPv4 or IPv6 literal (brackets allowed around IPv6). IPv4-mapped IPv6
 * addresses (`::ffff:a.b.c.d`), which dual-stack sockets report, become IPv4.
 */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const v4 = parseV4Word(bare);
  if (v4 !== undefined) return { family: 4, words: [v4] };
  const v6 = parseV6Words(bare);
  if (v6 === undefined) return undefined;
  if (v6[0] === 0 && v6[1] === 0 && v6[2] === 0xffff) return { family: 4, words: [v6[3]!] };
  return { family: 6, words: v6 };
}

function maskWord(word: number, bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return word >>> 0;
  return (word & (0xffffffff << (32 - bits))) >>> 0;
}

function maskAddress(address: IpAddress, prefix: number): number[] {
  return address.words.map((w, i) => maskWord(w, prefix - i * 32));
}

/** Canonical text of an address: dotted quad, or RFC 5952 IPv6 (longest zero run compressed). */
export function formatIp(address: IpAddress): string {
  if (address.family === 4) {
    const w = address.words[0]!;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  const groups: number[] = [];
  for (const w of address.words) groups.push(w >>> 16, w & 0xffff);
  let bestStart = -1;
  let bestLength = 1; // RFC 5952: a single zero group is not compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Parses `ADDRESS/PREFIX` or a bare address (a host route). Host bits must be zero. */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIp(addressText);
  if (!address || addressText.startsWith('[')) {
    return { ok: false, reason: `"${addressText}" is not an IPv4 or IPv6 address` };
  }
  const max = address.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max) {
      return { ok: false, reason: `prefix length "/${prefixText}" must be a whole number from 0 to ${max}` };
    }
    prefix = Number(prefixText);
  }
  const network: IpAddress = { family: address.family, words: maskAddress(address, prefix) };
  if (network.words.some((w, i) => w !== address.words[i])) {
    return {
      ok: false,
      reason: `"${text}" has host bits set; the network is ${formatIp(network)}/${prefix}`,
    };
  }
  return { ok: true, cidr: { address: network, prefix, text: `${formatIp(network)}/${prefix}` } };
}

export interface CidrMatch<T> {
  readonly value: T;
  readonly cidr: Cidr;
}

/**
 * Longest-prefix match over a set of CIDRs. Lookups cost one hash probe per distinct
 * prefix length in use (at most 33 for IPv4, 129 for IPv6), independent of the number
 * of entries.
 */
export class CidrTable<T> {
  private readonly byFamily = new Map<IpFamily, { lengths: number[]; byLength: Map<number, Map<string, CidrMatch<T>>> }>();

  /** Adds a CIDR; an identical CIDR added again keeps its first value. */
  add(cidr: Cidr, value: T): void {
    let family = this.byFamily.get(cidr.address.family);
    if (!family) {
      family = { lengths: [], byLength: new Map() };
      this.byFamily.set(cidr.address.family, family);
    }
    let bucket = family.byLength.get(cidr.prefix);
    if (!bucket) {
      bucket = new Map();
      family.byLength.set(cidr.prefix, bucket);
      family.lengths.push(cidr.prefix);
      family.lengths.sort((a, b) => b - a);
    }
    const key = cidr.address.words.join(',');
    if (!bucket.has(key)) bucket.set(key, { value, cidr });
  }

  /** The most specific entry containing the address, or undefined (also for unparsable text). */
  lookup(addressText: string): CidrMatch<T> | undefined {
    const address = parseIp(addressText);
    if (!address) return undefined;
    const family = this.byFamily.get(address.family);
    if (!family) return undefined;
    for (const length of family.lengths) {
      const hit = family.byLength.get(length)!.get(maskAddress(address, length).join(','));
      if (hit) return hit;
    }
    return undefined;
  }
}
