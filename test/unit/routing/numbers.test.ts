import { describe, expect, it } from 'vitest';
import type { NumberingDefinition } from '../../../src/config/schema/config.js';
import { normaliseNumber } from '../../../src/routing/numbers.js';

const NANP: NumberingDefinition = { country_code: '1', international_prefix: '011', national_prefix: '1', national_number_lengths: [10] };
const GERMANY: NumberingDefinition = { country_code: '49', international_prefix: '00', national_prefix: '0', national_number_lengths: [] };

describe('number normalisation to E.164', () => {
  it.each([
    ['already E.164', '+14155550123', '+14155550123'],
    ['visual separators', '(415) 555-0123', '+14155550123'],
    ['dots and spaces', '415.555.0123', '+14155550123'],
    ['national prefix', '1 415 555 0123', '+14155550123'],
    ['international prefix', '011 49 30 1234567', '+49301234567'],
    ['an extension stays an extension', '1001', '1001'],
    ['national prefix with a wrong length stays as dialled', '141555501', '141555501'],
    ['SIP URI with user=phone', 'sip:+14155550123@127.0.0.1;user=phone', '+14155550123'],
    ['SIP URI with a national number', 'sip:4155550123@127.0.0.1:5060', '+14155550123'],
    ['tel URI with parameters', 'tel:+1-415-555-0123;phone-context=example.com', '+14155550123'],
    ['percent-encoded plus', 'sip:%2B14155550123@127.0.0.1', '+14155550123'],
    ['a name is left alone', 'alice', 'alice'],
    ['anonymous is left alone', 'Anonymous', 'Anonymous'],
    ['feature code is left alone', '*97', '*97'],
    ['malformed escape is kept as received', 'sip:%zz@127.0.0.1', '%zz'],
  ])('NANP: %s', (_what, raw, expected) => expect(normaliseNumber(raw, NANP)).toBe(expected));

  it.each([
    ['national prefix, any length', '030 1234567', '+49301234567'],
    ['mobile', '0171 1234567', '+491711234567'],
    ['international prefix', '0044 20 7946 0000', '+442079460000'],
    ['an extension', '100', '100'],
    ['just the prefix', '0', '0'],
    ['just the international prefix', '00', '00'],
  ])('Germany: %s', (_what, raw, expected) => expect(normaliseNumber(raw, GERMANY)).toBe(expected));

  it('without a numbering plan only cleans', () => {
    expect(normaliseNumber('+1 (415) 555-0123', undefined)).toBe('+14155550123');
    expect(normaliseNumber('030 1234567', undefined)).toBe('0301234567');
  });
});
