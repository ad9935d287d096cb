import { describe, expect, it } from 'vitest';
import { parseContactHeaders, parseExpiresHeader } from '../../../src/registrar/contact-header.js';

describe('parseContactHeaders', () => {
  it.each([
    ['a bare addr-spec', ['sip:alice@192.0.2.1:5060'], [{ uri: 'sip:alice@192.0.2.1:5060' }]],
    ['a name-addr with parameters', ['<sip:alice@192.0.2.1;transport=tcp>;expires=600;q=0.5'], [{ uri: 'sip:alice@192.0.2.1;transport=tcp', expires: 600, q: 0.5 }]],
    ['an addr-spec with parameters (they are header parameters)', ['sip:alice@192.0.2.1;expires=60'], [{ uri: 'sip:alice@192.0.2.1', expires: 60 }]],
    ['a quoted display name holding a comma', ['"Doe, Jane" <sip:jane@192.0.2.4>;q=0.7'], [{ uri: 'sip:jane@192.0.2.4', displayName: 'Doe, Jane', q: 0.7 }]],
    ['an unquoted display name', ['Jane Doe <sip:jane@192.0.2.4>'], [{ uri: 'sip:jane@192.0.2.4', displayName: 'Jane Doe' }]],
    [
      'several contacts in one field and several fields, in order',
      ['<sip:a@192.0.2.1>, "x,y" <sip:b@192.0.2.2>;expires=0', 'sip:c@192.0.2.3'],
      [{ uri: 'sip:a@192.0.2.1' }, { uri: 'sip:b@192.0.2.2', displayName: 'x,y', expires: 0 }, { uri: 'sip:c@192.0.2.3' }],
    ],
    ['white space around ; and =', ['<sip:a@192.0.2.1> ; expires = 120 ; q = 1'], [{ uri: 'sip:a@192.0.2.1', expires: 120, q: 1 }]],
    [
      '+sip.instance and reg-id (RFC 5626)',
      ['<sip:a@192.0.2.1;ob>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1'],
      [{ uri: 'sip:a@192.0.2.1;ob', instance: '<urn:uuid:00000000-0000-1000-8000-000A95A0E128>', regId: 1 }],
    ],
    ['a malformed expires is ignored (the default applies)', ['<sip:a@192.0.2.1>;expires=soon'], [{ uri: 'sip:a@192.0.2.1' }]],
    ['a huge expires is capped at 2^32-1', ['<sip:a@192.0.2.1>;expires=99999999999'], [{ uri: 'sip:a@192.0.2.1', expires: 4_294_967_295 }]],
    ['a malformed reg-id is ignored', ['<sip:a@192.0.2.1>;reg-id=0'], [{ uri: 'sip:a@192.0.2.1' }]],
    ['no Contact: a query', [], []],
  ])('%s', (_name, values, expected) => {
    const result = parseContactHeaders(values);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.contacts).toHaveLength(expected.length);
    (result.contacts as readonly object[]).forEach((c, i) => expect(c).toEqual(expected[i]));
  });

  it('reads a lone * as the wildcard', () => {
    expect(parseContactHeaders(['*'])).toEqual({ ok: true, contacts: '*' });
    expect(parseContactHeaders([' * '])).toEqual({ ok: true, contacts: '*' });
  });

  it.each([
    ['* with another contact', ['*, <sip:a@192.0.2.1>'], /only Contact/],
    ['* in a second field', ['<sip:a@192.0.2.1>', '*'], /only Contact/],
    ['q above 1', ['<sip:a@192.0.2.1>;q=1.5'], /q must be/],
    ['q not a number', ['<sip:a@192.0.2.1>;q=high'], /q must be/],
    ['q without a value', ['<sip:a@192.0.2.1>;q'], /q must be/],
    ['an unterminated quote', ['"Jane <sip:a@192.0.2.1>'], /malformed Contact/],
    ['a URI with no host', ['<sip:>'], /malformed Contact/],
    ['no closing >', ['<sip:a@192.0.2.1'], /malformed Contact/],
  ])('refuses %s', (_name, values, error) => {
    const result = parseContactHeaders(values);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe('parseExpiresHeader', () => {
  it.each([
    ['3600', 3600],
    [' 0 ', 0],
    ['-1', undefined],
    ['1h', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j -> %j', (value, expected) => {
    expect(parseExpiresHeader(value)).toBe(expected);
  });
});
