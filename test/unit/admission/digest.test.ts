import { describe, expect, it } from 'vitest';
import {
  MAX_CREDENTIALS_LENGTH,
  challengeValue,
  challengeValues,
  digestHa1,
  parseCredentials,
  quoteString,
  verifyDigestResponse,
  type DigestAlgorithm,
} from '../../../src/admission/digest.js';
import { authorization } from './helpers.js';

/** RFC 7616 §3.9.1: the Authorization headers of the example, for SHA-256 and MD5. */
const RFC7616 = {
  realm: 'http-auth@example.org',
  method: 'GET',
  password: 'Circle of Life',
  header: (algorithm: DigestAlgorithm, response: string) => `Digest username="Mufasa",
       realm="http-auth@example.org",
       uri="/dir/index.html",
       algorithm=${algorithm},
       nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
       nc=00000001,
       cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
       qop=auth,
       response="${response}",
       opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
  responses: {
    'SHA-256': '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    MD5: '8ca523f5e9506fed4657c9700eebdbec',
  } as Record<DigestAlgorithm, string>,
};

describe('digest: RFC 7616 §3.9.1 example', () => {
  it.each(['SHA-256', 'MD5'] as const)('%s: the example response verifies with the right password only', (algorithm) => {
    const parsed = parseCredentials(RFC7616.header(algorithm, RFC7616.responses[algorithm]));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const c = parsed.credentials;
    expect(c).toMatchObject({
      username: 'Mufasa',
      realm: RFC7616.realm,
      uri: '/dir/index.html',
      algorithm,
      qop: 'auth',
      nc: '00000001',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    });
    expect(verifyDigestResponse(c, RFC7616.method, digestHa1(algorithm, 'Mufasa', RFC7616.realm, RFC7616.password))).toBe(true);
    expect(verifyDigestResponse(c, RFC7616.method, digestHa1(algorithm, 'Mufasa', RFC7616.realm, 'Circle of life'))).toBe(false);
    expect(verifyDigestResponse(c, 'POST', digestHa1(algorithm, 'Mufasa', RFC7616.realm, RFC7616.password))).toBe(false);
  });

  it('an upper-case hex response verifies too', () => {
    const parsed = parseCredentials(RFC7616.header('MD5', RFC7616.responses.MD5.toUpperCase()));
    expect(parsed.ok && verifyDigestResponse(parsed.credentials, 'GET', digestHa1('MD5', 'Mufasa', RFC7616.realm, RFC7616.password))).toBe(true);
  });
});

describe('digest: verification', () => {
  const base = { username: 'alice', realm: 'switchboard', password: 'correct-horse', method: 'REGISTER', uri: 'sip:127.0.0.1', nonce: 'abc' };
  it.each([
    { what: 'SHA-256 with qop', o: { ...base, algorithm: 'SHA-256' as const } },
    { what: 'MD5 with qop', o: { ...base, algorithm: 'MD5' as const } },
    { what: 'legacy MD5 without qop (RFC 2069)', o: { ...base, algorithm: 'MD5' as const, qop: false } },
  ])('$what', ({ o }) => {
    const parsed = parseCredentials(authorization(o));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(verifyDigestResponse(parsed.credentials, o.method, digestHa1(o.algorithm, o.username, o.realm, o.password))).toBe(true);
    expect(verifyDigestResponse(parsed.credentials, o.method, digestHa1(o.algorithm, o.username, o.realm, 'wrong-horse'))).toBe(false);
  });

  it('a username with an escaped quote is hashed unescaped', () => {
    const header = authorization({ ...base, algorithm: 'SHA-256', username: 'al"ice' }).replace('username="al"ice"', 'username="al\\"ice"');
    const parsed = parseCredentials(header);
    expect(parsed.ok && parsed.credentials.username).toBe('al"ice');
    expect(parsed.ok && verifyDigestResponse(parsed.credentials, 'REGISTER', digestHa1('SHA-256', 'al"ice', 'switchboard', 'correct-horse'))).toBe(true);
  });
});

describe('digest: challenges', () => {
  it('one value per algorithm in the configured order, qop="auth", stale only when asked', () => {
    const values = challengeValues({ realm: 'switchboard', nonce: 'n0nce', algorithms: ['SHA-256', 'MD5'] });
    expect(values).toEqual([
      'Digest realm="switchboard", nonce="n0nce", qop="auth", algorithm=SHA-256',
      'Digest realm="switchboard", nonce="n0nce", qop="auth", algorithm=MD5',
    ]);
    expect(challengeValue({ realm: 'a "b"', nonce: 'n', algorithm: 'MD5', opaque: 'o', stale: true })).toBe(
      'Digest realm="a \\"b\\"", nonce="n", opaque="o", qop="auth", algorithm=MD5, stale=true',
    );
  });

  it('quoteString escapes quotes and backslashes', () => {
    expect(quoteString('a\\b"c')).toBe('"a\\\\b\\"c"');
  });
});

describe('digest: parsing', () => {
  const good = 'Digest username="alice", realm="switchboard", nonce="n", uri="sip:a@b", response="' + 'a'.repeat(64) + '", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="x"';

  it.each([
    { what: 'scheme and parameter names in any case', header: good.replace('Digest', 'dIgEsT').replace('username', 'UserName').replace('algorithm', 'ALGORITHM') },
    { what: 'quoted algorithm, qop and nc', header: good.replace('algorithm=SHA-256', 'algorithm="sha-256"').replace('qop=auth', 'qop="auth"').replace('nc=00000001', 'nc="00000001"') },
    { what: 'commas and equals signs inside quotes', header: good.replace('uri="sip:a@b"', 'uri="sip:a@b;x=1,y=2"') },
    { what: 'line folding and tabs between parameters', header: good.replaceAll(', ', ' ,\r\n\t ') },
    { what: 'unknown auth-params', header: `${good}, foo=bar, baz="q"` },
    { what: 'leading and trailing spaces', header: `  ${good}  ` },
  ])('accepts $what', ({ header }) => {
    const parsed = parseCredentials(header);
    expect(parsed).toMatchObject({ ok: true, credentials: { username: 'alice', realm: 'switchboard', algorithm: 'SHA-256', qop: 'auth' } });
  });

  it('keeps commas in a quoted uri', () => {
    const parsed = parseCredentials(good.replace('uri="sip:a@b"', 'uri="sip:a@b;x=1,y=2"'));
    expect(parsed.ok && parsed.credentials.uri).toBe('sip:a@b;x=1,y=2');
  });

  it.each([
    { what: 'undefined', header: undefined, reason: /no credentials/ },
    { what: 'empty', header: '', reason: /empty/ },
    { what: 'only spaces', header: '   ', reason: /empty/ },
    { what: 'Basic scheme', header: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', reason: /not Digest/ },
    { what: 'scheme only', header: 'Digest', reason: /missing/ },
    { what: 'unterminated quote', header: 'Digest realm="x", username="alice, nonce=n', reason: /not terminated/ },
    { what: 'dangling backslash', header: 'Digest username="alice\\', reason: /not terminated/ },
    { what: 'no "="', header: 'Digest username', reason: /no "="/ },
    { what: 'no value', header: 'Digest username=, realm="x"', reason: /no value/ },
    { what: 'missing response', header: good.replace(/, response="a+"/, ''), reason: /response is missing/ },
    { what: 'missing nonce', header: good.replace('nonce="n", ', ''), reason: /nonce is missing/ },
    { what: 'empty username', header: good.replace('username="alice"', 'username=""'), reason: /username is missing/ },
    { what: 'duplicate parameter', header: `${good}, realm="other"`, reason: /twice/ },
    { what: 'garbage between parameters', header: good.replace(', realm', ' realm'), reason: /unexpected/ },
    { what: 'trailing comma', header: `${good},`, reason: /missing/ },
    { what: 'unknown algorithm', header: good.replace('SHA-256', 'SHA-512-256'), reason: /not supported/ },
    { what: 'MD5-sess', header: good.replace('SHA-256', 'MD5-sess'), reason: /not supported/ },
    { what: 'short response for the algorithm', header: good.replace('a'.repeat(64), 'a'.repeat(32)), reason: /not a SHA-256 digest/ },
    { what: 'non-hex response', header: good.replace('a'.repeat(64), 'z'.repeat(64)), reason: /not a SHA-256 digest/ },
    { what: 'qop=auth-int', header: good.replace('qop=auth', 'qop=auth-int'), reason: /not offered/ },
    { what: 'qop without nc', header: good.replace(', nc=00000001', ''), reason: /nc/ },
    { what: 'short nc', header: good.replace('nc=00000001', 'nc=1'), reason: /nc/ },
    { what: 'qop without cnonce', header: good.replace(', cnonce="x"', ''), reason: /cnonce/ },
    { what: 'SHA-256 without qop', header: good.replace(', qop=auth, nc=00000001, cnonce="x"', ''), reason: /needs qop/ },
    { what: 'userhash=true', header: `${good}, userhash=true`, reason: /userhash/ },
    { what: 'huge', header: good + ', x="' + 'y'.repeat(MAX_CREDENTIALS_LENGTH) + '"', reason: /longer than/ },
    { what: 'too many parameters', header: good + Array.from({ length: 40 }, (_, i) => `, p${i}=1`).join(''), reason: /too many/ },
    { what: 'NUL and control bytes', header: 'Digest \u0000username="a"', reason: /unexpected/ },
  ])('refuses $what without throwing', ({ header, reason }) => {
    const parsed = parseCredentials(header);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('never throws on random input', () => {
    // A deterministic generator: the same cases every run.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const alphabet = 'Digest =,"\\\t\r\nabcnurealmoqp0123456789-';
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(next() * 120);
      let text = next() < 0.7 ? 'Digest ' : '';
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)];
      expect(() => parseCredentials(text)).not.toThrow();
    }
  });
});
