import { describe, expect, it } from 'vitest';
import { ScannerFilter } from '../../../src/admission/scanner-filter.js';
import { DEFAULT_SCANNER_USER_AGENTS } from '../../../src/config/schema/policy.js';

describe('ScannerFilter', () => {
  const filter = new ScannerFilter(DEFAULT_SCANNER_USER_AGENTS);
  it.each([
    ['friendly-scanner', 'friendly-scanner'],
    ['Friendly-Scanner/1.0', 'friendly-scanner'],
    ['sipvicious svmap 0.3', 'sipvicious'],
    ['SIPVICIOUS', 'sipvicious'],
    ['VaxSIPUserAgent/3.1', 'VaxSIPUserAgent'],
    ['something iwar something', 'iWar'],
    ['x'.repeat(10_000) + 'sipcli', 'sipcli'],
  ])('%s is a scanner (%s)', (ua, fragment) => {
    expect(filter.matches(ua)).toBe(fragment);
  });

  it.each([['Yealink SIP-T46U 108.86.0.20'], ['Linphone/5.2 (belle-sip/5.2)'], ['Ooma'], [''], [undefined]])('%s is not', (ua) => {
    expect(filter.matches(ua)).toBeUndefined();
  });

  it('regular-expression characters in fragments are literal', () => {
    const f = new ScannerFilter(['a.b', '(x)', 'c+d']);
    expect(f.matches('axb')).toBeUndefined();
    expect(f.matches('A.B client')).toBe('a.b');
    expect(f.matches('(X)')).toBe('(x)');
    expect(f.matches('cccd')).toBeUndefined();
  });

  it('an empty list matches nothing', () => {
    expect(new ScannerFilter([]).matches('friendly-scanner')).toBeUndefined();
  });
});
