import { isWsp } from './chars.js';

/** Generic parameters (`;name=value`) with lower-case names, in order of appearance. */
export type Params = Map<string, string | null>;

export interface ParamsResult {
  params: Params;
  /** Index just past the parsed parameters. */
  end: number;
}

/**
 * Parses `*( SEMI generic-param )` of a header (Via, From/To, Contact…), starting at
 * `pos`, which must point at `;` or at the end. Linear white space is allowed around
 * `;` and `=` (RFC 3261 §25.1 SEMI and EQUAL). Values may be quoted strings, kept
 * with their quotes. Parsing stops at `,` or at the end of the input. Returns null
 * for malformed input (an empty name, an unterminated quoted string).
 *
 * @example parseHeaderParams(' ; tag = 1918 ;lr', 0) // Map { tag => '1918', lr => null }
 */
export function parseHeaderParams(s: string, pos: number): ParamsResult | null {
  return walkHeaderParams(s, pos, new Map());
}

/**
 * Validates header parameters without building them: returns the index just past
 * them, or -1 when malformed. The parser uses this and builds maps only on demand.
 */
export function scanHeaderParams(s: string, pos: number): number {
  const r = walkHeaderParams(s, pos, null);
  return r === null ? -1 : r.end;
}

const NO_PARAMS: Params = new Map();

function walkHeaderParams(s: string, pos: number, params: Params | null): ParamsResult | null {
  const len = s.length;
  let i = skipWsp(s, pos);
  while (i < len && s.charCodeAt(i) === 0x3b /* ; */) {
    i = skipWsp(s, i + 1);
    const nameStart = i;
    while (i < len && isParamNameChar(s.charCodeAt(i))) i++;
    if (i === nameStart) return null;
    const name = params === null ? '' : s.slice(nameStart, i).toLowerCase();
    i = skipWsp(s, i);
    let value: string | null = null;
    if (i < len && s.charCodeAt(i) === 0x3d /* = */) {
      i = skipWsp(s, i + 1);
      if (i < len && s.charCodeAt(i) === 0x22 /* " */) {
        const close = quotedEnd(s, i);
        if (close < 0) return null;
        value = s.slice(i, close + 1);
        i = close + 1;
      } else {
        const valueStart = i;
        while (i < len && isParamValueChar(s.charCodeAt(i))) i++;
        value = s.slice(valueStart, i);
      }
      i = skipWsp(s, i);
    }
    if (params !== null) params.set(name, value);
  }
  return { params: params ?? NO_PARAMS, end: i };
}

/**
 * Parses URI parameters `;name[=value]` (no white space allowed) from `s`, which holds
 * only the parameter section (starting at `;`).
 */
export function parseUriParams(s: string): Params | null {
  const params: Params = new Map();
  if (s.length === 0) return params;
  for (const part of s.split(';')) {
    if (part.length === 0) continue; // tolerate ";;"
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    if (name.length === 0) return null;
    params.set(name, eq < 0 ? null : part.slice(eq + 1));
  }
  return params;
}

/** Serializes parameters as `;name=value` pairs. */
export function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

/** Index of the closing quote of the quoted string opening at `start`, or -1. */
export function quotedEnd(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

export function skipWsp(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

function isParamNameChar(c: number): boolean {
  // token characters
  return (
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || c === 0x2e || c === 0x21 || c === 0x25 || c === 0x2a || c === 0x5f ||
    c === 0x2b || c === 0x60 || c === 0x27 || c === 0x7e
  );
}

function isParamValueChar(c: number): boolean {
  // token / host (IPv6 brackets and colons) — anything but separators that end a value
  return c > 0x20 && c !== 0x3b && c !== 0x2c && c !== 0x3d && c !== 0x22 && c !== 0x3e && c !== 0x7f;
}
