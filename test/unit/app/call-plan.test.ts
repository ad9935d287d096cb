import { describe, expect, it } from 'vitest';
import { B2buaApp, firstDialable, userOf } from '../../../src/app/b2bua.js';
import { parseConfig } from '../../../src/config/index.js';
import { compileRouter } from '../../../src/routing/index.js';

const YAML = `
trunks:
  lab:
    inbound: { sources: [127.0.0.0/8] }
    outbound: { gateways: ["sip:127.0.0.1:5080;transport=tcp"] }
routes:
  - name: blocked
    match: { to: "+15550000" }
    then: { reject: { status: 603, reason: Declined } }
  - name: out
    match: { to: { prefix: ["+1"] } }
    then: { forward: { to: { number: "+14155550123", trunk: lab } } }
  - name: desk
    match: { to: { pattern: ".*" } }
    then: { ring: "sip:desk@127.0.0.1:5099" }
`;

function app(): B2buaApp {
  const config = parseConfig(YAML, 'plan.yaml');
  return new B2buaApp({ config, router: compileRouter(config), now: () => Date.parse('2026-11-23T10:00:00Z') });
}

describe('B2BUA call plan (routing decision → bridge target)', () => {
  it('refuses a source that is no configured trunk with 403', () => {
    expect(app().plan({ uri: 'sip:1000@127.0.0.1', from: '<sip:a@192.0.2.7>', headers: {}, sourceAddress: '192.0.2.7' })).toEqual({ status: 403, reason: 'Forbidden' });
  });

  it('executes a reject decision with its status', () => {
    expect(app().plan({ uri: 'sip:+15550000@127.0.0.1', from: '<sip:a@127.0.0.1>', headers: {}, sourceAddress: '127.0.0.1' })).toEqual({ status: 603, reason: 'Declined' });
  });

  it('dials a number through the trunk gateway and a URI target as is', () => {
    const a = app();
    expect(a.plan({ uri: 'sip:+12125550100@127.0.0.1', from: '<sip:a@127.0.0.1>', headers: {}, sourceAddress: '127.0.0.1' })).toEqual({
      uri: 'sip:+14155550123@127.0.0.1:5080;transport=tcp',
    });
    expect(a.plan({ uri: 'sip:1000@127.0.0.1', from: '<sip:a@127.0.0.1>', headers: {}, sourceAddress: '127.0.0.1' })).toEqual({ uri: 'sip:desk@127.0.0.1:5099' });
  });

  it('answers 480 when no action has a dialable target', () => {
    expect(firstDialable([])).toEqual({ status: 480, reason: 'Temporarily Unavailable' });
  });

  it('reads the dialled user from SIP URIs, name-addrs and tel URIs', () => {
    expect(userOf('sip:+4930123@example.com;user=phone')).toBe('+4930123');
    expect(userOf('"Bob" <sips:bob@example.com>;tag=1')).toBe('bob');
    expect(userOf('tel:+14155550123;phone-context=x')).toBe('+14155550123');
    expect(userOf('sip:example.com')).toBe('sip:example.com');
  });
});
