import { describe, expect, it } from 'vitest';
import { IngressFilter } from '../../../src/engine/core/ingress-filter.js';
import { parseMessage, type SipRequest } from '../../../src/engine/message/index.js';

function req(lines: { method?: string; from?: string; ua?: string; auth?: string; toTag?: string }): SipRequest {
  const method = lines.method ?? 'INVITE';
  const text = [
    `${method} sip:100@127.0.0.1 SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-1',
    'Max-Forwards: 70',
    `From: <sip:${lines.from ?? 'someone'}@192.0.2.9>;tag=a`,
    `To: <sip:100@127.0.0.1>${lines.toTag ? `;tag=${lines.toTag}` : ''}`,
    'Call-ID: c1',
    `CSeq: 1 ${method}`,
    ...(lines.ua ? [`User-Agent: ${lines.ua}`] : []),
    ...(lines.auth ? [`Proxy-Authorization: ${lines.auth}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const r = parseMessage(Buffer.from(text));
  if (!r.ok) throw new Error(r.failure.reason);
  return r.message as SipRequest;
}

describe('engine ingress filter (scanners, blocked sources, unknown sources)', () => {
  it.each([
    ['drop', 'friendly-scanner', 'drop'],
    ['drop', 'SIPVicious 0.3', 'drop'],
    ['reject', 'sipcli/v1.8', 'reject'],
    ['drop', 'Yealink SIP-T46U', undefined],
  ] as const)('scanner action %s: User-Agent %j is %s', (action, ua, verdict) => {
    const f = new IngressFilter({ scanners: ['friendly-scanner', 'sipvicious', 'sipcli'], scannerAction: action });
    expect(f.check(req({ ua }), '192.0.2.9')).toBe(verdict);
  });

  it('drops a blocked source until its block ends, then lets it in again', () => {
    let now = 0;
    const f = new IngressFilter({ now: () => now });
    f.block('192.0.2.9', 60_000);
    expect(f.check(req({}), '192.0.2.9')).toBe('drop');
    expect(f.check(req({}), '192.0.2.10')).toBeUndefined();
    now = 60_001;
    expect(f.check(req({}), '192.0.2.9')).toBeUndefined();
    expect(f.dropped).toBe(1);
  });

  it('holds at most maxBlocked addresses, forgetting the oldest block', () => {
    const f = new IngressFilter({ maxBlocked: 2 });
    f.block('192.0.2.1', 60_000);
    f.block('192.0.2.2', 60_000);
    f.block('192.0.2.3', 60_000);
    expect(f.check(req({}), '192.0.2.1')).toBeUndefined();
    expect(f.check(req({}), '192.0.2.3')).toBe('drop');
  });

  describe('unknown sources: drop', () => {
    const f = new IngressFilter({ unknownSources: { trusted: ['203.0.113.0/24', '2001:db8::/32'], knownUsers: ['alice'] } });
    it.each([
      ['a trunk network', {}, '203.0.113.7', undefined],
      ['a trunk network over IPv6', {}, '2001:db8::5', undefined],
      ['a stranger', {}, '192.0.2.9', 'drop'],
      ['a stranger with credentials', { auth: 'Digest username="x"' }, '192.0.2.9', undefined],
      ['a known user (to be challenged)', { from: 'alice' }, '192.0.2.9', undefined],
      ['a request inside a dialog', { method: 'BYE', toTag: 't1' }, '192.0.2.9', undefined],
      ['an ACK (never answered anyway)', { method: 'ACK' }, '192.0.2.9', undefined],
    ] as const)('%s: %s', (_what, lines, source, verdict) => {
      expect(f.check(req(lines), source)).toBe(verdict);
    });
  });
});
