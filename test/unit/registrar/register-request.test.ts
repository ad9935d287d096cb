import { describe, expect, it } from 'vitest';
import type { Binding } from '../../../src/registrar/binding.js';
import { parseContactHeaders } from '../../../src/registrar/contact-header.js';
import { contactKey, processRegister, type RegisterLimits, type RegisterRequest } from '../../../src/registrar/register-request.js';

const NOW = 1_700_000_000_000;
const LIMITS: RegisterLimits = { min_expires: 60_000, max_expires: 3_600_000, default_expires: 1_800_000, max_contacts: 3 };
const SOURCE = { address: '192.0.2.10', port: 5060, transport: 'udp' } as const;

function contacts(...values: string[]): RegisterRequest['contacts'] {
  const parsed = parseContactHeaders(values);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.contacts;
}

function request(overrides: Partial<RegisterRequest> & { contact?: string[] }): RegisterRequest {
  const { contact, ...rest } = overrides;
  return { user: 'alice', contacts: contacts(...(contact ?? [])), callId: 'call-1', cseq: 10, source: SOURCE, now: NOW, ...rest };
}

function binding(uri: string, overrides: Partial<Binding> = {}): Binding {
  return {
    user: 'alice', key: contactKey({ uri }), uri, expiresAt: NOW + 600_000, updatedAt: NOW - 1000,
    callId: 'call-1', cseq: 5, source: SOURCE, ...overrides,
  };
}

const A = 'sip:alice@192.0.2.10:5060';
const B = 'sip:alice@192.0.2.11:5060';
const C = 'sip:alice@192.0.2.12:5060';
const D = 'sip:alice@192.0.2.13:5060';

describe('processRegister: RFC 3261 §10.3 steps 6-8', () => {
  it.each<{ name: string; req: Partial<RegisterRequest> & { contact?: string[] }; current?: Binding[]; status: number; contacts: string[]; minExpires?: number }>([
    // expiry: default, explicit, clamp, minimum
    { name: 'no expiry anywhere: default_expires', req: { contact: [`<${A}>`] }, status: 200, contacts: [`<${A}>;expires=1800`] },
    { name: 'Expires header applies to contacts without a parameter', req: { contact: [`<${A}>`], expires: 300 }, status: 200, contacts: [`<${A}>;expires=300`] },
    { name: 'the expires parameter wins over the header', req: { contact: [`<${A}>;expires=120`], expires: 300 }, status: 200, contacts: [`<${A}>;expires=120`] },
    { name: 'exactly min_expires is accepted', req: { contact: [`<${A}>;expires=60`] }, status: 200, contacts: [`<${A}>;expires=60`] },
    { name: 'above max_expires: clamped to max', req: { contact: [`<${A}>;expires=86400`] }, status: 200, contacts: [`<${A}>;expires=3600`] },
    { name: 'Expires header above max: clamped', req: { contact: [`<${A}>`], expires: 7200 }, status: 200, contacts: [`<${A}>;expires=3600`] },
    { name: 'below min_expires: 423 with Min-Expires', req: { contact: [`<${A}>;expires=59`] }, status: 423, contacts: [], minExpires: 60 },
    { name: 'Expires header below min: 423', req: { contact: [`<${A}>`], expires: 1 }, status: 423, contacts: [], minExpires: 60 },
    { name: 'one contact below min fails the whole request', req: { contact: [`<${B}>;expires=600`, `<${A}>;expires=30`] }, current: [binding(C)], status: 423, contacts: [], minExpires: 60 },
    // removal
    { name: 'expires=0 removes that binding', req: { contact: [`<${A}>;expires=0`], cseq: 11 }, current: [binding(A), binding(B)], status: 200, contacts: [`<${B}>;expires=600`] },
    { name: 'Expires: 0 removes the listed contacts', req: { contact: [`<${A}>`, `<${B}>`], expires: 0, cseq: 11 }, current: [binding(A), binding(B), binding(C)], status: 200, contacts: [`<${C}>;expires=600`] },
    { name: 'removing an unknown contact is a no-op 200', req: { contact: [`<${D}>;expires=0`] }, current: [binding(A)], status: 200, contacts: [`<${A}>;expires=600`] },
    { name: 'expires=0 is not "below min"', req: { contact: [`<${A}>;expires=0`] }, status: 200, contacts: [] },
    // wildcard
    { name: '* with Expires: 0 removes every binding', req: { contacts: '*', expires: 0, cseq: 11 }, current: [binding(A), binding(B)], status: 200, contacts: [] },
    { name: '* without Expires: 400', req: { contacts: '*' }, current: [binding(A)], status: 400, contacts: [] },
    { name: '* with Expires: 60: 400', req: { contacts: '*', expires: 60 }, current: [binding(A)], status: 400, contacts: [] },
    { name: '* with the binding Call-ID and a CSeq not above: 500', req: { contacts: '*', expires: 0, cseq: 5 }, current: [binding(A)], status: 500, contacts: [] },
    { name: '* from another Call-ID removes regardless of CSeq', req: { contacts: '*', expires: 0, cseq: 1, callId: 'other' }, current: [binding(A)], status: 200, contacts: [] },
    // CSeq ordering (step 7)
    { name: 'same Call-ID, higher CSeq: refresh', req: { contact: [`<${A}>;expires=120`], cseq: 6 }, current: [binding(A)], status: 200, contacts: [`<${A}>;expires=120`] },
    { name: 'same Call-ID, same CSeq: 500 (out of order)', req: { contact: [`<${A}>;expires=120`], cseq: 5 }, current: [binding(A)], status: 500, contacts: [] },
    { name: 'same Call-ID, lower CSeq: 500 (out of order)', req: { contact: [`<${A}>;expires=120`], cseq: 4 }, current: [binding(A)], status: 500, contacts: [] },
    { name: 'same Call-ID, lower CSeq removal: 500', req: { contact: [`<${A}>;expires=0`], cseq: 4 }, current: [binding(A)], status: 500, contacts: [] },
    { name: 'other Call-ID, lower CSeq: update (a rebooted phone)', req: { contact: [`<${A}>;expires=120`], cseq: 1, callId: 'call-2' }, current: [binding(A)], status: 200, contacts: [`<${A}>;expires=120`] },
    { name: 'a lapsed binding does not block a low CSeq', req: { contact: [`<${A}>;expires=120`], cseq: 1 }, current: [binding(A, { expiresAt: NOW })], status: 200, contacts: [`<${A}>;expires=120`] },
    // max contacts
    { name: 'up to max_contacts in one request', req: { contact: [`<${A}>`, `<${B}>`, `<${C}>`], expires: 600 }, status: 200, contacts: [`<${A}>;expires=600`, `<${B}>;expires=600`, `<${C}>;expires=600`] },
    { name: 'more than max_contacts in one request: 403', req: { contact: [`<${A}>`, `<${B}>`, `<${C}>`, `<${D}>`], expires: 600 }, status: 403, contacts: [] },
    { name: 'a new contact beyond max_contacts: 403', req: { contact: [`<${D}>`], expires: 600 }, current: [binding(A), binding(B), binding(C)], status: 403, contacts: [] },
    { name: 'replacing one contact at the limit is allowed', req: { contact: [`<${A}>;expires=0`, `<${D}>;expires=600`], cseq: 6 }, current: [binding(A), binding(B), binding(C)], status: 200, contacts: [`<${D}>;expires=600`, `<${B}>;expires=600`, `<${C}>;expires=600`] },
    { name: 'a refresh above a lowered limit is allowed', req: { contact: [`<${A}>;expires=600`], cseq: 6 }, current: [binding(A), binding(B), binding(C), binding(D)], status: 200, contacts: [`<${A}>;expires=600`, `<${B}>;expires=600`, `<${C}>;expires=600`, `<${D}>;expires=600`] },
    // several contacts and q ordering (step 8 lists every binding)
    { name: 'q orders the 200: highest first', req: { contact: [`<${A}>;q=0.1`, `<${B}>;q=0.9`, `<${C}>`], expires: 600 }, status: 200, contacts: [`<${C}>;expires=600`, `<${B}>;expires=600;q=0.9`, `<${A}>;expires=600;q=0.1`] },
    { name: 'equal q: the most recently refreshed first', req: { contact: [`<${B}>`], expires: 600 }, current: [binding(A, { expiresAt: NOW + 900_000 })], status: 200, contacts: [`<${B}>;expires=600`, `<${A}>;expires=900`] },
    { name: 'new contacts join existing ones', req: { contact: [`<${B}>;expires=300`], callId: 'call-2', cseq: 1 }, current: [binding(A)], status: 200, contacts: [`<${B}>;expires=300`, `<${A}>;expires=600`] },
    { name: 'the same contact twice: the last wins', req: { contact: [`<${A}>;expires=300`, `<${A}>;expires=120`] }, status: 200, contacts: [`<${A}>;expires=120`] },
    // query
    { name: 'no Contact: a query listing the bindings', req: {}, current: [binding(A), binding(B, { q: 0.5, expiresAt: NOW + 1500 })], status: 200, contacts: [`<${A}>;expires=600`, `<${B}>;expires=2;q=0.5`] },
    { name: 'a query ignores CSeq order', req: { cseq: 1 }, current: [binding(A)], status: 200, contacts: [`<${A}>;expires=600`] },
    { name: 'a query with no bindings: 200 with none', req: {}, status: 200, contacts: [] },
    { name: 'a query leaves lapsed bindings out', req: {}, current: [binding(A, { expiresAt: NOW })], status: 200, contacts: [] },
  ])('$name -> $status', ({ req, current, status, contacts: expected, minExpires }) => {
    const result = processRegister(request(req), current ?? [], LIMITS);
    expect(result.status).toBe(status);
    expect(result.contacts).toEqual(expected);
    expect(result.minExpires).toBe(minExpires);
    if (status !== 200) {
      expect(result.changed).toBe(false);
      expect(result.detail).toBeTypeOf('string');
      expect(result.bindings).toEqual((current ?? []).filter((b) => b.expiresAt > NOW));
    }
  });

  it('reason phrases are the standard ones', () => {
    expect(processRegister(request({ contact: [`<${A}>;expires=1`] }), [], LIMITS).reason).toBe('Interval Too Brief');
    expect(processRegister(request({ contacts: '*' }), [], LIMITS).reason).toBe('Bad Request');
    expect(processRegister(request({ contact: [`<${A}>`], cseq: 5 }), [binding(A)], LIMITS).reason).toBe('Server Internal Error');
    expect(processRegister(request({ contact: [`<${A}>`, `<${B}>`, `<${C}>`, `<${D}>`] }), [], LIMITS).reason).toBe('Forbidden');
  });

  it('a new binding records Call-ID, CSeq, q, source, instance and reg-id', () => {
    const source = { address: '198.51.100.7', port: 40123, transport: 'tcp' } as const;
    const result = processRegister(
      request({ contact: ['<sip:alice@10.0.0.5:5060;ob>;q=0.3;+sip.instance="<urn:uuid:1>";reg-id=2'], expires: 600, callId: 'c9', cseq: 77, source }),
      [],
      LIMITS,
    );
    expect(result.changed).toBe(true);
    expect(result.bindings).toEqual([
      {
        user: 'alice', key: 'instance:<urn:uuid:1>;reg-id=2', uri: 'sip:alice@10.0.0.5:5060;ob', expiresAt: NOW + 600_000,
        updatedAt: NOW, callId: 'c9', cseq: 77, q: 0.3, source, instance: '<urn:uuid:1>', regId: 2,
      },
    ]);
    expect(result.contacts).toEqual(['<sip:alice@10.0.0.5:5060;ob>;expires=600;q=0.3;+sip.instance="<urn:uuid:1>";reg-id=2']);
  });

  it('the same instance from a new address replaces the binding (RFC 5626)', () => {
    const old = binding('sip:alice@10.0.0.5:5060', { key: 'instance:<urn:uuid:1>;reg-id=1', instance: '<urn:uuid:1>', regId: 1 });
    const result = processRegister(request({ contact: ['<sip:alice@10.0.0.9:5070>;+sip.instance="<urn:uuid:1>";reg-id=1'], expires: 600, cseq: 6 }), [old], LIMITS);
    expect(result.bindings.map((b) => b.uri)).toEqual(['sip:alice@10.0.0.9:5070']);
  });

  it('a wildcard removal and a query change nothing they need not', () => {
    expect(processRegister(request({ contacts: '*', expires: 0 }), [], LIMITS).changed).toBe(false);
    expect(processRegister(request({}), [binding(A)], LIMITS).changed).toBe(false);
    expect(processRegister(request({ contacts: '*', expires: 0, cseq: 6 }), [binding(A)], LIMITS).changed).toBe(true);
  });
});

describe('contactKey: RFC 3261 §19.1.4 URI equality', () => {
  it.each([
    ['sip:alice@Example.COM', 'sip:alice@example.com'],
    ['SIP:alice@192.0.2.1', 'sip:alice@192.0.2.1'],
    ['sip:%61lice@192.0.2.1', 'sip:alice@192.0.2.1'],
    ['sip:alice@192.0.2.1;transport=TCP', 'sip:alice@192.0.2.1;transport=tcp'],
    ['sip:alice@192.0.2.1;ob;foo=bar', 'sip:alice@192.0.2.1'],
  ])('%s equals %s', (a, b) => {
    expect(contactKey({ uri: a })).toBe(contactKey({ uri: b }));
  });

  it.each([
    ['sip:Alice@192.0.2.1', 'sip:alice@192.0.2.1'],
    ['sip:alice@192.0.2.1:5060', 'sip:alice@192.0.2.1'],
    ['sip:alice@192.0.2.1;transport=tcp', 'sip:alice@192.0.2.1'],
    ['sips:alice@192.0.2.1', 'sip:alice@192.0.2.1'],
    ['sip:alice@192.0.2.1;maddr=192.0.2.9', 'sip:alice@192.0.2.1'],
  ])('%s differs from %s', (a, b) => {
    expect(contactKey({ uri: a })).not.toBe(contactKey({ uri: b }));
  });
});
