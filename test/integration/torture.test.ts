import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { sleep, TcpPeer, UdpPeer, waitFor, type Received } from '../helpers/sip-peer.js';
import { loadTortureCorpus, type TortureCase } from '../helpers/torture.js';

/**
 * Every RFC 4475 message sent to a running engine (no application connected) over
 * UDP and over TCP, whole and in 1-byte chunks. The expected handling comes from
 * ../shared/sip-torture/rfc4475/EXPECTED.tsv; where it allows a choice, the sets
 * below say which answers are acceptable. `none` means nothing may come back.
 */
type Expect = number[] | 'none';

const UDP: Record<string, Expect> = {
  badaspec: [400], badbranch: [400, 503], baddate: [503], baddn: [400], badinv01: [400], badvers: [505],
  bcast: 'none', bext01: [420], bigcode: 'none', clerr: [400], cparam01: [503], cparam02: [503], dblreq: [503],
  esc01: [503], esc02: [501], escnull: [503], escruri: [400], insuf: [400], intmeth: [501], inv2543: [503],
  invut: [415, 503], longreq: [503], ltgtruri: [400], lwsdisp: [503], lwsruri: [400], lwsstart: [400],
  mcl01: 'none', mismatch01: [400], mismatch02: [501, 400], mpart01: [503], multi01: [400], ncl: [400],
  noreason: 'none', novelsc: [416, 404], quotbal: [400], regaut01: [503, 401], regbadct: [400], regescrt: [503],
  scalar02: [400], scalarlg: 'none', sdp01: [406, 400, 503], semiuri: [503], test: 'none', transports: [503],
  trws: [400], unkscm: [416], unksm2: [503], unreason: 'none', wsinv: [481, 503, 483], zeromf: [483, 503],
};

// On a stream these cannot be framed (bad or missing Content-Length, headers that
// never end): the connection is closed — after the message deadline when it waits.
const TCP_CLOSES = new Set(['clerr', 'ncl', 'mcl01', 'baddn']);

const corpus = loadTortureCorpus();
let engine: TestEngine;
// Responses without rport go to the source address at the Via port: listen on each one used.
const peers = new Map<number, UdpPeer>();

function viaPort(c: TortureCase): number {
  // A TLS Via without a port answers on 5061 (RFC 3261 §18.2.2 default for the transport).
  if (/^(?:via|v)[ \t]*:[ \t]*SIP\/2\.0\/TLS [a-z0-9.-]+;/im.test(c.bytes.toString('latin1'))) return 5061;
  const m = /^(?:via|v)[ \t]*:[^\r\n]*?(?:\d{1,3}\.){3}\d{1,3}:(\d+)|^(?:via|v)[ \t]*:[^\r\n;]*?[a-z0-9.-]+\.[a-z]+:(\d+)/im.exec(c.bytes.toString('latin1'));
  return Number(m?.[1] ?? m?.[2] ?? 5060);
}

/** The message's Call-ID; '' when it has none (its 400 then has none either). */
function firstCallId(c: TortureCase): string {
  return /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(c.bytes.toString('latin1'))?.[1] ?? '';
}

function finalStatuses(statuses: number[]): number[] {
  return statuses.filter((s) => s >= 200);
}

beforeAll(async () => {
  engine = await startTestEngine();
  for (const c of corpus) {
    const port = viaPort(c);
    if (!peers.has(port)) peers.set(port, await UdpPeer.bind(port));
  }
});

afterAll(async () => {
  await engine?.stop();
  for (const p of peers.values()) await p.close();
});

function allUdpResponses(callId: string): number[] {
  return [...peers.values()].flatMap((p) => p.responsesFor(callId).map((r) => r.status));
}

function allReceived(): Received[] {
  return [...peers.values()].flatMap((p) => p.received);
}

describe('RFC 4475 torture corpus over UDP', () => {
  const sender = () => peers.get(5060)!;

  it('has an expectation for every file', () => {
    expect(Object.keys(UDP).sort()).toEqual(corpus.map((c) => c.name).sort());
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const expected = UDP[name]!;
    const callId = firstCallId(c);
    // Earlier error responses are still being retransmitted (Timer G): only new Call-IDs count.
    const seen = new Set(allReceived().map((r) => r.response?.callId));
    await sender().send(c.bytes, engine.udpPort);
    if (expected === 'none') {
      await sleep(250);
      const fresh = allReceived().filter((r) => !seen.has(r.response?.callId));
      expect(fresh, 'nothing may be sent back or forwarded').toHaveLength(0);
      return;
    }
    const got = await waitFor(() => finalStatuses(allUdpResponses(callId)).length > 0, 3000);
    expect(got, `no final response for ${name}`).toBe(true);
    const finals = finalStatuses(allUdpResponses(callId));
    expect(expected).toContain(finals[0]);
    const res = [...peers.values()].flatMap((p) => p.responsesFor(callId)).find((r) => r.status >= 200)!;
    if (finals[0] === 420) expect(res.get('unsupported')).toBe('nothingSupportsThis, nothingSupportsThisEither');
    expect(res.via?.received, 'received= added to a Via whose host is not the source').toBe('127.0.0.1');
  });

  it('answered nothing but SIP, only to loopback, and the engine is still alive', async () => {
    for (const p of peers.values()) for (const r of p.received) expect(r.from.address).toBe('127.0.0.1');
    expect(await engine.ping()).toBe(true);
  });
});

describe.each([
  ['whole', 0],
  ['1-byte chunks', 1],
])('RFC 4475 torture corpus over TCP (%s)', (_label, chunk) => {
  it.each(corpus.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const peer = await TcpPeer.connect(engine.tcpPort);
    try {
      await peer.send(c.bytes, chunk);
      const callId = firstCallId(c);
      const statuses = () => peer.responses().filter((r) => r.callId === callId).map((r) => r.status);
      if (TCP_CLOSES.has(name)) {
        expect(await waitFor(() => peer.closed, 3000), 'connection closed').toBe(true);
        expect(finalStatuses(statuses()).every((s) => s === 400)).toBe(true);
        return;
      }
      const expected = UDP[name]!;
      if (expected === 'none') {
        await sleep(200);
        expect(peer.responses()).toHaveLength(0);
        return;
      }
      expect(await waitFor(() => finalStatuses(statuses()).length > 0, 3000), `no final response for ${name}`).toBe(true);
      expect(expected).toContain(finalStatuses(statuses())[0]);
    } finally {
      peer.close();
    }
  });
});

describe('after the corpus', () => {
  it('leaves no transaction or connection behind once the timers have run', async () => {
    const drained = await waitFor(() => {
      const s = engine.stats();
      return s.transactions === 0 && s.connections === 0;
    }, 15_000);
    expect(engine.stats()).toMatchObject({ transactions: 0, connections: 0 });
    expect(drained).toBe(true);
  });

  it('never forwarded a response: every datagram it sent was a response to one of ours', () => {
    const sent = allReceived();
    expect(sent.length).toBeGreaterThan(0);
    for (const r of sent) expect(r.bytes.subarray(0, 8).toString('latin1')).toBe('SIP/2.0 ');
    const ours = new Set(corpus.map(firstCallId));
    for (const r of sent) expect(ours.has(r.response?.callId ?? '')).toBe(true);
  });
});
