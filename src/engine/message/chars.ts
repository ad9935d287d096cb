/**
 * Character classes from RFC 3261 §25.1, as lookup tables indexed by char code.
 * Table lookups keep the parser's inner loops free of regular expressions.
 */

function table(chars: string, ranges: Array<[string, string]> = []): Uint8Array {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  for (const [lo, hi] of ranges) {
    for (let c = lo.charCodeAt(0); c <= hi.charCodeAt(0); c++) t[c] = 1;
  }
  return t;
}

const ALNUM: Array<[string, string]> = [['a', 'z'], ['A', 'Z'], ['0', '9']];

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~", ALNUM);

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** Space or horizontal tab. */
export function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Trims SP and HTAB only (String#trim also strips other Unicode spaces). */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** True when the string holds SP, HTAB, CR or LF anywhere. */
export function hasWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) return true;
  }
  return false;
}

/**
 * Parses an unsigned decimal with no sign, no spaces and at most `max`.
 * Returns -1 when the text is not such a number (out-of-range scalars are errors in SIP,
 * RFC 4475 §3.1.2.4, never silently clamped).
 */
export function parseUint(s: string, max: number): number {
  if (s.length === 0 || s.length > 16) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n > max ? -1 : n;
}

export const MAX_UINT32 = 0xffffffff;
