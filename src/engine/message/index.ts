/**
 * SIP message codec (RFC 3261 §7, §20, §25): parse bytes into requests and
 * responses, read and change headers, serialize back.
 */
export { parseMessage, type ParseOptions, type ParseResult, type ParseFailure } from './parse.js';
export { SipMessage, SipRequest, SipResponse, type AnySipMessage, type HeaderField, type CSeq } from './message.js';
export { headerName, headerKey, splitList } from './headers.js';
export { parseNameAddr, formatNameAddr, nameAddrUri, quote, type NameAddr } from './name-addr.js';
export { parseUri, formatUri, isSipUri, unescapeUri, bareHost, splitHostPort, type Uri, type SipUri, type OtherUri } from './uri.js';
export { parseVia, formatVia, isRfc3261Branch, MAGIC_COOKIE, type Via } from './via.js';
export { parseHeaderParams, parseUriParams, formatParams, type Params } from './params.js';
export { createResponse, createNon2xxAck, createCancel, reasonPhrase, REASON_PHRASES } from './build.js';
