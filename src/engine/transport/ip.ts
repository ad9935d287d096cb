/**
 * IP literal handling for the transport layer. The engine never resolves names, so every
 * address that reaches a socket passes through {@link canonicalIp} first: it rejects
 * anything that is not an IP literal and gives each address one spelling, so that
 * connection reuse finds `[0:0::1]` and `::1` to be the same peer.
 */

/** Address family of an IP literal. */
export type IpFamily = 4 | 6;

/**
 * The canonical text of an IP literal, or undefined when `text` is not one.
 * IPv4: dotted quad without leading zeros (octal ambiguity), returned as given.
 * IPv6: brackets removed, RFC 5952 form (lower case, longest run of two or more zero
 * groups compressed, leftmost on a tie). IPv4-mapped IPv6 (`::ffff:192.0.2.1`) becomes
 * the IPv4 address, because IPv6 sockets here are IPv6-only. Zone ids are refused:
 * a SIP peer cannot name our interfaces.
 *
 * @example
 *   canonicalIp('[2001:DB8:0:0:0:0:0:1]') // '2001:db8::1'
 *   canonicalIp('::ffff:127.0.0.1')       // '127.0.0.1'
 *   canonicalIp('example.com')            // undefined
 */
export function canonicalIp(text: string): string | undefined {
  if (text.length === 0) return undefined;
  if (text.charCodeAt(0) === 0x5b /* [ */) {
    if (text.charCodeAt(text.length - 1) !== 0x5d /* ] */) return undefined;
    text = text.slice(1, -1);
  }
  if (text.indexOf(':') < 0) return parseIpv4(text) === undefined ? undefined : text;
  const groups = parseIpv6(text);
  if (groups === undefined) return undefined;
  if (isV4Mapped(groups)) return `${groups[6]! >>> 8}.${groups[6]! & 0xff}.${groups[7]! >>> 8}.${groups[7]! & 0xff}`;
  return formatIpv6(groups);
}

/**
 * The family of an address already known to be an IP literal (brackets allowed).
 *
 * @example ipFamily('::1') // 6
 */
export function ipFamily(address: string): IpFamily {
  return address.indexOf(':') < 0 ? 4 : 6;
}

/**
 * The 32-bit value of a dotted-quad IPv4 address, or undefined when malformed.
 *
 * @example parseIpv4('192.0.2.1') // 0xc0000201
 */
export function parseIpv4(text: string): number | undefined {
  let value = 0;
  let octets = 0;
  let i = 0;
  const n = text.length;
  while (i <= n) {
    const start = i;
    let octet = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      octet = octet * 10 + (c - 0x30);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255) return undefined;
    if (digits > 1 && text.charCodeAt(start) === 0x30) return undefined;
    value = value * 256 + octet;
    octets++;
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x2e /* . */ || octets === 4) return undefined;
    i++;
  }
  return octets === 4 ? value : undefined;
}

/**
 * The eight 16-bit groups of an IPv6 address (no brackets, no zone), or undefined
 * when malformed. An embedded IPv4 tail (`::ffff:192.0.2.1`) is accepted.
 *
 * @example parseIpv6('2001:db8::1') // Uint16Array [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]
 */
export function parseIpv6(text: string): Uint16Array | undefined {
  const groups = new Uint16Array(8);
  let count = 0;
  let gap = -1;
  let i = 0;
  const n = text.length;
  if (n < 2) return undefined;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return undefined;
    gap = 0;
    i = 2;
    if (i === n) return groups;
  }
  while (i < n) {
    if (count === 8) return undefined;
    const start = i;
    let value = 0;
    while (i < n && i - start < 5) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      i++;
    }
    if (i < n && text.charCodeAt(i) === 0x2e /* . */) {
      // Embedded IPv4: takes the last two groups.
      const v4 = parseIpv4(text.slice(start));
      if (v4 === undefined || count > 6) return undefined;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = n;
      break;
    }
    const digits = i - start;
    if (digits === 0 || digits > 4) return undefined;
    groups[count++] = value;
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x3a) return undefined;
    i++;
    if (i < n && text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return undefined;
      gap = count;
      i++;
      if (i === n) break;
    } else if (i === n) return undefined;
  }
  if (gap < 0) return count === 8 ? groups : undefined;
  if (count === 8) return undefined;
  const tail = count - gap;
  groups.copyWithin(8 - tail, gap, count);
  groups.fill(0, gap, 8 - tail);
  return groups;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

function isV4Mapped(g: Uint16Array): boolean {
  return g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
}

function formatIpv6(g: Uint16Array): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && !out.endsWith(':')) out += ':';
    out += g[i]!.toString(16);
  }
  return out;
}

/**
 * True for addresses no SIP message is ever sent to or received on: IPv4 multicast
 * (224.0.0.0/4), the limited broadcast address, and IPv6 multicast (ff00::/8).
 *
 * @example isMulticastOrBroadcast('224.0.1.75') // true
 */
export function isMulticastOrBroadcast(canonical: string): boolean {
  // Canonical IPv6 is lower case; ff00::/8 means a four-digit first group starting "ff".
  if (canonical.indexOf(':') >= 0) return canonical.indexOf(':') === 4 && canonical.startsWith('ff');
  // Canonical IPv4 has no leading zeros: the first octet is the digits before the first dot.
  const dot = canonical.indexOf('.');
  const first = dot === 3 ? (canonical.charCodeAt(0) - 0x30) * 100 + (canonical.charCodeAt(1) - 0x30) * 10 + canonical.charCodeAt(2) - 0x30 : 0;
  return (first >= 224 && first <= 239) || canonical === '255.255.255.255';
}

/**
 * True for the unspecified address (`0.0.0.0`, `::`): a listener bound there accepts
 * on every interface.
 *
 * @example isUnspecified('0.0.0.0') // true
 */
export function isUnspecified(canonical: string): boolean {
  return canonical === '0.0.0.0' || canonical === '::';
}
