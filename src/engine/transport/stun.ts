import { parseIpv4, parseIpv6 } from './ip.js';

/**
 * The STUN that RFC 5626 §4.4.1 puts on a SIP UDP port: clients behind NAT send
 * Binding requests (RFC 5389) to the registrar's SIP socket as keep-alives and to learn
 * their public address. We answer with a Binding success carrying XOR-MAPPED-ADDRESS
 * and nothing else (no FINGERPRINT, no authentication), which is all a keep-alive
 * client reads. A datagram is STUN when its first byte is 0–3 (RFC 7983 §7), which no
 * SIP message can start with.
 */

const MAGIC_COOKIE = 0x2112a442;
const HEADER_LENGTH = 20;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;

/**
 * True when the first byte of a datagram marks it as STUN rather than SIP.
 *
 * @example if (looksLikeStun(datagram[0]!)) reply = stunBindingResponse(datagram, address, port);
 */
export function looksLikeStun(firstByte: number): boolean {
  return firstByte <= 3;
}

/**
 * The Binding success response to a well-formed RFC 5389 Binding request from
 * `address`:`port`, or undefined for anything else (other STUN methods, RFC 3489
 * requests without the magic cookie, truncated messages), which callers drop silently.
 *
 * @example
 *   const reply = stunBindingResponse(datagram, rinfo.address, rinfo.port);
 *   if (reply) socket.send(reply, rinfo.port, rinfo.address);
 */
export function stunBindingResponse(request: Buffer, address: string, port: number): Buffer | undefined {
  if (request.length < HEADER_LENGTH) return undefined;
  const type = request.readUInt16BE(0);
  const length = request.readUInt16BE(2);
  if (type !== BINDING_REQUEST || length % 4 !== 0 || request.length !== HEADER_LENGTH + length) return undefined;
  if (request.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;

  const v6 = address.indexOf(':') >= 0;
  const valueLength = v6 ? 20 : 8;
  const out = Buffer.alloc(HEADER_LENGTH + 4 + valueLength);
  out.writeUInt16BE(BINDING_SUCCESS, 0);
  out.writeUInt16BE(4 + valueLength, 2);
  request.copy(out, 4, 4, HEADER_LENGTH); // magic cookie and transaction id
  out.writeUInt16BE(XOR_MAPPED_ADDRESS, 20);
  out.writeUInt16BE(valueLength, 22);
  out.writeUInt8(v6 ? 0x02 : 0x01, 25);
  out.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 26);
  if (v6) {
    const groups = parseIpv6(address);
    if (groups === undefined) return undefined;
    // IPv6 is XORed with the magic cookie followed by the transaction id: bytes 4–19.
    for (let g = 0; g < 8; g++) out.writeUInt16BE(groups[g]! ^ request.readUInt16BE(4 + g * 2), 28 + g * 2);
  } else {
    const ip = parseIpv4(address);
    if (ip === undefined) return undefined;
    out.writeUInt32BE((ip ^ MAGIC_COOKIE) >>> 0, 28);
  }
  return out;
}
