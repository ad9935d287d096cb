import { describe, expect, it } from 'vitest';
import { parseMessage, parseNameAddr } from '../../../src/engine/message/index.js';
import { loadTortureCorpus } from '../../helpers/torture.js';

/**
 * The parser's own verdict on each RFC 4475 message. What the running engine answers
 * (416, 420, 501, 503…) is checked end to end in test/integration/torture.test.ts.
 */
const corpus = loadTortureCorpus();

// Statuses the parser itself must produce for rejected requests; undefined = silently dropped.
const REJECT_STATUS: Record<string, number | undefined> = {
  badinv01: 400, clerr: 400, ncl: 400, scalar02: 400, quotbal: 400, ltgtruri: 400, lwsruri: 400,
  lwsstart: 400, trws: 400, escruri: 400, regbadct: 400, badaspec: 400, baddn: 400, badvers: 505,
  mismatch01: 400, mismatch02: 501, insuf: 400, multi01: 400, mcl01: undefined,
  scalarlg: undefined, bigcode: undefined, test: undefined,
};

describe('RFC 4475 torture messages: parser verdicts', () => {
  it('covers all 50 files', () => {
    expect(corpus).toHaveLength(50);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = parseMessage(c.bytes);
    if (c.verdict === 'accept') {
      expect(r.ok, r.ok ? '' : r.failure.reason).toBe(true);
      return;
    }
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(c.name in REJECT_STATUS, `no expectation for ${c.name}`).toBe(true);
    expect(r.failure.status).toBe(REJECT_STATUS[c.name]);
    expect(r.failure.reason.length).toBeGreaterThan(5);
  });

  it('keeps the semantics RFC 4475 spells out for accepted messages', () => {
    const get = (name: string) => {
      const r = parseMessage(corpus.find((c) => c.name === name)!.bytes);
      if (!r.ok) throw new Error(r.failure.reason);
      return r.message;
    };
    const wsinv = get('wsinv');
    expect(wsinv.get('newfangledheader')).toBe('newfangled value continued newfangled value');
    expect(wsinv.get('unknownheaderwithunusualvalue')).toBe(';;,,;;,;');
    expect(wsinv.vias.map((v) => v.branch)).toEqual(['390skdjuw', 'z9hG4bK9ikj8', 'z9hG4bK30239']);
    expect(wsinv.cseq).toEqual({ seq: 9, method: 'INVITE' });
    expect(wsinv.get('max-forwards')).toBe('0068');
    const esc02 = get('esc02');
    expect(esc02.isRequest && esc02.method).toBe('RE%47IST%45R');
    const dbl = get('dblreq');
    expect(dbl.isRequest && dbl.method).toBe('REGISTER');
    expect(dbl.body.length).toBe(0);
    const mpart = get('mpart01');
    expect(mpart.body.length).toBe(Number(mpart.get('content-length')));
    expect(mpart.body.includes(0)).toBe(true);
    // Without < > the parameter belongs to the Contact header; inside them, to the URI.
    const [c1] = get('cparam01').getAll('contact');
    expect(parseNameAddr(c1!)?.params.has('unknownparam')).toBe(true);
    const [c2] = get('cparam02').getAll('contact');
    expect(parseNameAddr(c2!)?.uri).toBe('sip:+19725552222@gw1.example.net;unknownparam');
    expect(parseNameAddr(c2!)?.params.size).toBe(0);
  });
});
