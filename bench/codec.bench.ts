/**
 * Codec micro-benchmark: parse a SIPp-style INVITE and serialize it back.
 * Target (issue 2): at most 5 µs per parse + serialize on the reference machine.
 * Run: npx tsc -p tsconfig.json && node dist/bench/codec.bench.js
 */
import { parseMessage, type SipRequest } from '../src/engine/message/index.js';
import { SIPP_200, SIPP_INVITE } from './fixtures.js';

interface Result {
  name: string;
  nsPerOp: number;
}

function measure(name: string, iterations: number, fn: (i: number) => void): Result {
  for (let i = 0; i < Math.min(iterations, 50_000); i++) fn(i); // warm up the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  const ns = Number(process.hrtime.bigint() - start);
  return { name, nsPerOp: ns / iterations };
}

function mustParse(buf: Buffer) {
  const r = parseMessage(buf);
  if (!r.ok) throw new Error(`benchmark fixture does not parse: ${r.failure.reason}`);
  return r.message;
}

export function runCodecBench(iterations = 300_000): Result[] {
  const invite = Buffer.from(SIPP_INVITE);
  const ok = Buffer.from(SIPP_200);
  let sink = 0;
  const results = [
    measure('parse INVITE', iterations, () => {
      sink += mustParse(invite).headers.length;
    }),
    measure('parse + serialize INVITE (unchanged)', iterations, () => {
      sink += mustParse(invite).toBuffer().length;
    }),
    measure('parse + change + serialize INVITE', iterations, (i) => {
      // What a proxy or B2BUA leg does: new Request-URI, a Via on top, Max-Forwards down.
      const m = mustParse(invite) as SipRequest;
      m.uri = 'sip:service@127.0.0.1:5070';
      m.prepend('Via', `SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-sb-${i}`);
      m.set('Max-Forwards', '69');
      sink += m.toBuffer().length;
    }),
    measure('parse + change + serialize 200 OK', iterations, () => {
      const m = mustParse(ok);
      m.removeFirstValue('Via');
      sink += m.toBuffer().length;
    }),
    measure('parse INVITE + read Via/From/To/CSeq', iterations, () => {
      const m = mustParse(invite);
      sink += (m.via?.branch?.length ?? 0) + (m.fromTag?.length ?? 0) + m.cseq.seq + m.callId.length;
    }),
  ];
  if (sink === 0) throw new Error('unreachable: keeps the work observable');
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = runCodecBench();
  console.log('codec benchmark (SIPp-style messages), target: parse + serialize INVITE <= 5 µs');
  for (const r of results) console.log(`  ${r.name.padEnd(40)} ${(r.nsPerOp / 1000).toFixed(2)} µs/op`);
}
