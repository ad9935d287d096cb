/**
 * Number normalisation to E.164, so that rules written as "+18005550100" match calls
 * dialled as "18005550100", "1-800-555-0100" or "sip:+18005550100@host;user=phone".
 *
 * Steps: take the user part of a sip:/sips:/tel: URI; drop visual separators (space,
 * "-", ".", "(", ")"); then, for a string of digits:
 *
 * | input starts with          | result                                   |
 * |----------------------------|------------------------------------------|
 * | "+"                        | unchanged                                |
 * | international prefix       | "+" + rest                               |
 * | national prefix (*)        | "+" + country code + rest                |
 * | nothing, national length   | "+" + country code + digits              |
 * | anything else              | digits unchanged (extension, short code) |
 *
 * (*) when `national_number_lengths` is set, only if the rest has one of those lengths,
 * so that extension "1001" is not taken for a national number in NANP (prefix "1").
 * Anything that is not digits ("alice", "anonymous", "*97") is returned cleaned but
 * otherwise unchanged. Without a numbering plan only the cleaning applies.
 *
 * @example
 *   const nanp = { country_code: '1', international_prefix: '011', national_prefix: '1', national_number_lengths: [10] };
 *   normaliseNumber('(415) 555-0123', nanp);              // "+14155550123"
 *   normaliseNumber('011 49 30 1234567', nanp);           // "+49301234567"
 *   normaliseNumber('sip:1001@127.0.0.1', nanp);          // "1001"
 */
import type { NumberingDefinition } from '../config/schema/config.js';

const URI_SCHEME_RE = /^(?:sips?|tel):/i;
const SEPARATORS_RE = /[\s\-.()]/g;
const DIGITS_RE = /^\+?[0-9]+$/;

function userPart(raw: string): string {
  let text = raw.trim();
  if (URI_SCHEME_RE.test(text)) {
    text = text.replace(URI_SCHEME_RE, '');
    const at = text.indexOf('@');
    if (at >= 0) text = text.slice(0, at);
    const semicolon = text.indexOf(';');
    if (semicolon >= 0) text = text.slice(0, semicolon);
  }
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Malformed escapes: keep the text as received; it then simply matches no number rule.
    }
  }
  return text;
}

export function normaliseNumber(raw: string, plan: NumberingDefinition | undefined): string {
  const text = userPart(raw);
  const cleaned = text.replace(SEPARATORS_RE, '');
  if (!DIGITS_RE.test(cleaned)) return text;
  if (cleaned.startsWith('+') || plan === undefined) return cleaned;
  const { country_code: cc, international_prefix: intl, national_prefix: national, national_number_lengths: lengths } = plan;
  if (cleaned.startsWith(intl)) return cleaned.length > intl.length ? `+${cleaned.slice(intl.length)}` : cleaned;
  if (national !== '' && cleaned.startsWith(national)) {
    const rest = cleaned.slice(national.length);
    if (rest.length > 0 && (lengths.length === 0 || lengths.includes(rest.length))) return `+${cc}${rest}`;
  }
  if (lengths.includes(cleaned.length)) return `+${cc}${cleaned}`;
  return cleaned;
}
