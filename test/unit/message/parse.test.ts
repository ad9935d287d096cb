import { describe, expect, it } from 'vitest';
import { parseMessage, type SipRequest } from '../../../src/engine/message/index.js';
import { BASIC_INVITE, parseRequest, parseResponse, sip } from '../../helpers/sip-text.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

function withLength(lines: string[], body = ''): Buffer {
  return sip([...lines, `Content-Length: ${Buffer.byteLength(body)}`], body);
}

function failure(buf: Buffer, stream = false) {
  const r = parseMessage(buf, { stream });
  if (r.ok) throw new Error('expected a parse failure');
  return r.failure;
}

describe('request parsing', () => {
  it('reads the start line, mandatory headers and body', () => {
    const req = parseRequest(withLength(BASIC_INVITE, SDP));
    expect(req.method).toBe('INVITE');
    expect(req.uri).toBe('sip:bob@192.0.2.4');
    expect(req.callId).toBe('a84b4c76e66710@pc33.example.com');
    expect(req.cseq).toEqual({ seq: 314159, method: 'INVITE' });
    expect(req.fromTag).toBe('1928301774');
    expect(req.toTag).toBeUndefined();
    expect(req.from?.displayName).toBe('Alice A.');
    expect(req.to?.uri).toBe('sip:bob@example.com');
    expect(req.body.toString()).toBe(SDP);
    expect(req.via).toMatchObject({ transport: 'UDP', host: '192.0.2.1', port: 5060, branch: 'z9hG4bK776asdhds', rport: true });
  });

  it('looks headers up case-insensitively and by compact form', () => {
    const req = parseRequest(
      withLength([
        'OPTIONS sip:bob@example.com SIP/2.0',
        'v: SIP/2.0/TCP h.example.com;branch=z9hG4bKa',
        'f: <sip:a@example.com>;tag=1',
        't: <sip:b@example.com>',
        'i: call-1',
        'CSEQ: 1 OPTIONS',
        'm: <sip:a@192.0.2.1>',
        'k: 100rel, timer',
      ]),
    );
    expect(req.get('Via')).toBe('SIP/2.0/TCP h.example.com;branch=z9hG4bKa');
    expect(req.get('call-ID')).toBe('call-1');
    expect(req.get('Contact')).toBe('<sip:a@192.0.2.1>');
    expect(req.getAll('Supported')).toEqual(['100rel', 'timer']);
    expect(req.get('cseq')).toBe('1 OPTIONS');
  });

  it('unfolds continuation lines into one value', () => {
    const req = parseRequest(
      withLength([
        'OPTIONS sip:bob@example.com SIP/2.0',
        'Via: SIP/2.0/UDP h.example.com',
        ' ;branch=z9hG4bKfold',
        'From: <sip:a@example.com>;tag=1',
        'To: <sip:b@example.com>',
        'Call-ID: c1',
        'CSeq: 2',
        '\tOPTIONS',
        'Subject: first',
        '   second',
      ]),
    );
    expect(req.via?.branch).toBe('z9hG4bKfold');
    expect(req.cseq).toEqual({ seq: 2, method: 'OPTIONS' });
    expect(req.get('subject')).toBe('first second');
  });

  it('splits list headers at top-level commas only', () => {
    const req = parseRequest(
      withLength([
        'REGISTER sip:example.com SIP/2.0',
        'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1, SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK2',
        'Via: SIP/2.0/TCP 192.0.2.3;branch=z9hG4bK3',
        'From: <sip:a@example.com>;tag=1',
        'To: <sip:a@example.com>',
        'Call-ID: c2',
        'CSeq: 1 REGISTER',
        'Contact: "Doe, John" <sip:john@192.0.2.1;a=1,2>;q=0.5, <sip:j2@192.0.2.2>',
        'Date: Sat, 13 Nov 2010 23:29:00 GMT',
        'X-Custom: a, b',
      ]),
    );
    expect(req.getAll('via').map((v) => v.split(';')[0])).toEqual([
      'SIP/2.0/UDP 192.0.2.1',
      'SIP/2.0/UDP 192.0.2.2',
      'SIP/2.0/TCP 192.0.2.3',
    ]);
    expect(req.vias.map((v) => v.branch)).toEqual(['z9hG4bK1', 'z9hG4bK2', 'z9hG4bK3']);
    expect(req.getAll('contact')).toEqual(['"Doe, John" <sip:john@192.0.2.1;a=1,2>;q=0.5', '<sip:j2@192.0.2.2>']);
    expect(req.getAll('date')).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT']);
    expect(req.getAll('x-custom')).toEqual(['a, b']);
  });

  it('passes unknown headers through unchanged, in order', () => {
    const lines = [...BASIC_INVITE, 'X-Weird-Header:   ;;,,;; value  ', 'NewFangled: x'];
    const req = parseRequest(withLength(lines));
    const names = req.headers.map((h) => h.name);
    expect(names.slice(-3)).toEqual(['X-Weird-Header', 'NewFangled', 'Content-Length']);
    expect(req.get('x-weird-header')).toBe(';;,,;; value');
    req.set('Max-Forwards', '69');
    expect(req.toString()).toContain('\r\nX-Weird-Header: ;;,,;; value\r\nNewFangled: x\r\n');
  });

  it('accepts LF-only line endings', () => {
    const text = [...BASIC_INVITE, 'Content-Length: 0', '', ''].join('\n');
    const req = parseRequest(text);
    expect(req.cseq.method).toBe('INVITE');
    expect(req.get('content-type')).toBe('application/sdp');
  });

  it('accepts a datagram whose header section ends without the empty line', () => {
    const text = BASIC_INVITE.join('\r\n') + '\r\n';
    expect(parseRequest(text).method).toBe('INVITE');
  });
});

describe('Content-Length framing', () => {
  it('truncates a datagram body to Content-Length', () => {
    const req = parseRequest(sip([...BASIC_INVITE, 'Content-Length: 4'], 'v=0\r\nEXTRA'));
    expect(req.body.toString()).toBe('v=0\r');
  });

  it('uses the rest of the datagram when Content-Length is missing', () => {
    const req = parseRequest(sip(BASIC_INVITE, 'v=0\r\n'));
    expect(req.body.toString()).toBe('v=0\r\n');
  });

  it('means an empty body on streams when Content-Length is missing', () => {
    const r = parseMessage(sip(BASIC_INVITE, 'v=0\r\n'), { stream: true });
    expect(r.ok && r.message.body.length).toBe(0);
  });

  it('answers 400 when Content-Length exceeds the bytes received', () => {
    expect(failure(sip([...BASIC_INVITE, 'Content-Length: 999'], 'short')).status).toBe(400);
  });

  it('rejects negative and non-numeric lengths', () => {
    expect(failure(sip([...BASIC_INVITE, 'Content-Length: -1'])).status).toBe(400);
    expect(failure(sip([...BASIC_INVITE, 'Content-Length: 1x'])).status).toBe(400);
  });

  it('keeps binary bodies byte for byte', () => {
    const body = Buffer.from([0x00, 0x01, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0x00]);
    const head = Buffer.from([...BASIC_INVITE, `Content-Length: ${body.length}`].join('\r\n') + '\r\n\r\n');
    const req = parseRequest(Buffer.concat([head, body]));
    expect(Buffer.compare(req.body, body)).toBe(0);
    req.set('Subject', 'changed');
    const out = req.toBuffer();
    expect(Buffer.compare(out.subarray(out.length - body.length), body)).toBe(0);
  });
});

describe('request validation', () => {
  const base = (first: string, extra: string[] = []) =>
    withLength([first, ...BASIC_INVITE.slice(1, 6), 'CSeq: 1 INVITE', ...extra]);

  it.each([
    ['INVITE sip:bob@example.com SIP/3.0', 505],
    ['INVITE  sip:bob@example.com SIP/2.0', 400],
    ['INVITE sip:bob@example.com SIP/2.0 ', 400],
    ['INVITE <sip:bob@example.com> SIP/2.0', 400],
    ['INVITE sip:bob@example.com?Subject=x SIP/2.0', 400],
    ['INVITE sip:bob@exa mple.com SIP/2.0', 400],
    ['INVITE sip:bob@[::1 SIP/2.0', 400],
    ['INV@TE sip:bob@example.com SIP/2.0', 400],
  ])('%s → %i', (line, status) => {
    expect(failure(base(line)).status).toBe(status);
  });

  it('requires Via, From, To, Call-ID and CSeq', () => {
    const f = failure(withLength(['OPTIONS sip:a@example.com SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx', 'CSeq: 1 OPTIONS']));
    expect(f.status).toBe(400);
    expect(f.reason).toBe('missing From, To, Call-ID');
  });

  it('rejects a second value of a single-value header', () => {
    expect(failure(base('INVITE sip:bob@example.com SIP/2.0', ['Call-ID: other'])).reason).toMatch(/more than one/);
    expect(failure(base('INVITE sip:bob@example.com SIP/2.0', ['Max-Forwards: 3'])).reason).toMatch(/more than one/);
  });

  it('rejects out-of-range scalars', () => {
    const lines = (cseq: string, mf = '70', exp = '60') =>
      withLength(['REGISTER sip:example.com SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKs', 'From: <sip:a@example.com>;tag=1', 'To: <sip:a@example.com>', 'Call-ID: s', `CSeq: ${cseq}`, `Max-Forwards: ${mf}`, `Expires: ${exp}`]);
    expect(parseMessage(lines('4294967295 REGISTER')).ok).toBe(true);
    expect(failure(lines('4294967296 REGISTER')).status).toBe(400);
    expect(failure(lines('1 REGISTER', '256')).status).toBe(400);
    expect(failure(lines('1 REGISTER', '70', '99999999999')).status).toBe(400);
  });

  it('answers 400 to a CSeq method mismatch, 501 when the method is unknown', () => {
    expect(failure(base('OPTIONS sip:bob@example.com SIP/2.0')).status).toBe(400);
    expect(failure(base('FOO sip:bob@example.com SIP/2.0')).status).toBe(501);
  });

  it('rejects malformed From/To: unbalanced quotes, bad display names, spaces inside <>', () => {
    const mk = (to: string) => withLength(['OPTIONS sip:a@example.com SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKq', 'From: <sip:a@example.com>;tag=1', `To: ${to}`, 'Call-ID: q', 'CSeq: 1 OPTIONS']);
    expect(failure(mk('"Mr. J. User <sip:j.user@example.com>')).reason).toBe('malformed To');
    expect(failure(mk('Watson, Thomas <sip:t.watson@example.org>')).reason).toBe('malformed To');
    expect(failure(mk('"Watson" < sip:t.watson@example.org >')).reason).toBe('malformed To');
    expect(parseMessage(mk('Watson Thomas <sip:t.watson@example.org>')).ok).toBe(true);
  });

  it('drops a request whose Via cannot be used to answer', () => {
    const f = failure(withLength(['OPTIONS sip:a@example.com SIP/2.0', 'From: <sip:a@example.com>;tag=1', 'To: <sip:b@example.com>', 'Call-ID: x', 'CSeq: 1 OPTIONS']));
    expect(f.status).toBeUndefined();
    expect(f.reason).toMatch(/no usable Via/);
  });

  it('answers a request with broken Via parameters using the sent-by alone', () => {
    const f = failure(withLength(['OPTIONS sip:a@example.com SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.15;;,;,,', 'From: <sip:a@example.com>;tag=1', 'To: <sip:b@example.com>', 'Call-ID: x', 'CSeq: 1 OPTIONS']));
    expect(f.status).toBe(400);
    expect(f.partial?.via).toMatchObject({ host: '192.0.2.15', transport: 'UDP' });
  });

  it('accepts an RFC 2543 request without branch, From tag or Max-Forwards', () => {
    const req = parseRequest(sip(['INVITE sip:user@example.com SIP/2.0', 'To: sip:j.user@example.com', 'From: sip:caller@example.net', 'Call-ID: 2543', 'CSeq: 1 INVITE', 'Via: SIP/2.0/UDP 192.0.2.1'], ''));
    expect(req.via?.branch).toBeUndefined();
    expect(req.fromTag).toBeUndefined();
    expect(req.has('max-forwards')).toBe(false);
  });
});

describe('response parsing', () => {
  const lines = (status: string) => [status, 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=198.51.100.1;rport=5062', 'From: <sip:a@example.com>;tag=1', 'To: <sip:b@example.com>;tag=2', 'Call-ID: r1', 'CSeq: 5 INVITE', 'Content-Length: 0'];

  it('reads status, reason and tags', () => {
    const res = parseResponse(sip(lines('SIP/2.0 180 Ringing')));
    expect(res.status).toBe(180);
    expect(res.reason).toBe('Ringing');
    expect(res.toTag).toBe('2');
    expect(res.via).toMatchObject({ received: '198.51.100.1', rport: 5062 });
  });

  it('accepts empty and UTF-8 reason phrases', () => {
    expect(parseResponse(sip(lines('SIP/2.0 100 '))).reason).toBe('');
    expect(parseResponse(sip(lines('SIP/2.0 200 Ça marche — 成功'))).reason).toBe('Ça marche — 成功');
  });

  it.each(['SIP/2.0 4294967301 big', 'SIP/2.0 99 low', 'SIP/2.0 700 high', 'SIP/3.0 200 OK', 'SIP/2.0 20 OK'])(
    'drops %s without an answer',
    (line) => {
      expect(failure(sip(lines(line))).status).toBeUndefined();
    },
  );

  it('drops responses with out-of-range scalars', () => {
    const bad = lines('SIP/2.0 503 Service Unavailable').map((l) => (l.startsWith('CSeq') ? 'CSeq: 9292394834772304023312 OPTIONS' : l));
    expect(failure(sip(bad)).status).toBeUndefined();
  });
});

describe('serialization', () => {
  it('returns the original bytes for an unchanged message', () => {
    const buf = withLength(BASIC_INVITE, SDP);
    expect(parseRequest(buf).toBuffer().equals(buf)).toBe(true);
  });

  it('re-serializes after a change, with Content-Length matching the body', () => {
    const req = parseRequest(withLength(BASIC_INVITE, SDP)) as SipRequest;
    req.uri = 'sip:bob@127.0.0.1:5070';
    req.prepend('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKnew');
    req.body = Buffer.from('v=0\r\n');
    const again = parseRequest(req.toBuffer());
    expect(again.uri).toBe('sip:bob@127.0.0.1:5070');
    expect(again.via?.branch).toBe('z9hG4bKnew');
    expect(again.vias).toHaveLength(2);
    expect(again.get('content-length')).toBe('5');
    expect(again.body.toString()).toBe('v=0\r\n');
  });

  it('adds Content-Length when the original had none', () => {
    const req = parseRequest(sip(BASIC_INVITE, 'abc'));
    expect(req.toString()).toMatch(/\r\nContent-Length: 3\r\n\r\nabc$/);
  });

  it('keeps one Content-Length and updates cached views after set/remove', () => {
    const req = parseRequest(withLength(BASIC_INVITE));
    expect(req.fromTag).toBe('1928301774');
    req.set('From', '<sip:x@example.com>;tag=new');
    expect(req.fromTag).toBe('new');
    req.set('CSeq', '7 INVITE');
    expect(req.cseq.seq).toBe(7);
    expect(req.removeFirstValue('via')).toMatch(/branch=z9hG4bK776asdhds/);
    expect(req.via).toBeNull();
    expect(req.remove('contact')).toBe(1);
    expect(req.toString().match(/Content-Length/g)).toHaveLength(1);
  });
});
