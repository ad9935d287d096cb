/**
 * The user part of a SIP URI or name-addr (the dialled number), or the whole text.
 *
 * @example
 *   userOf('"Bob" <sips:bob@example.com>;tag=1'); // 'bob'
 */
export function userOf(text: string): string {
  const m = /sips?:([^@;>]+)@/i.exec(text) ?? /tel:([^;>]+)/i.exec(text);
  return m?.[1] ?? text;
}
