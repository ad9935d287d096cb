/**
 * Transaction-layer micro-benchmark: complete transactions per second with a no-op
 * sender (server INVITE 100/180/200 + ACK, client INVITE with 180/200, server and client
 * BYE; released and moved to the linger table as the core does), and whether memory
 * returns to its baseline once every timer has run.
 *
 * Run: npx tsc -p tsconfig.json && node --expose-gc dist/bench/transaction.bench.js
 */
import { createResponse, parseMessage, type SipRequest, type SipResponse } from '../src/engine/message/index.js';
import { newBranch, TransactionLayer, type ClientHandler, type ServerTransaction, type TransactionUser } from '../src/engine/transaction/index.js';
import type { MessageSource } from '../src/engine/transport/index.js';

const SOURCE: MessageSource = { transport: 'udp', address: '127.0.0.1', port: 5061, family: 4, localAddress: '127.0.0.1', localPort: 5060, connectionId: undefined };
const DEST = { transport: 'udp', address: '127.0.0.1', port: 5062 } as const;
const ACK_BYTES = Buffer.from('ACK sip:service@127.0.0.1:5062 SIP/2.0\r\nContent-Length: 0\r\n\r\n');

function req(method: string, branch: string, callId: string, toTag = ''): SipRequest {
  const text =
    `${method} sip:service@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=${branch}\r\nMax-Forwards: 70\r\n` +
    `From: sipp <sip:sipp@127.0.0.1:5061>;tag=1\r\nTo: <sip:service@127.0.0.1:5060>${toTag}\r\nCall-ID: ${callId}\r\n` +
    `CSeq: 1 ${method}\r\nContact: <sip:sipp@127.0.0.1:5061>\r\nContent-Length: 0\r\n\r\n`;
  const r = parseMessage(Buffer.from(text));
  if (!r.ok) throw new Error(r.failure.reason);
  return r.message as SipRequest;
}

function parsed(res: SipResponse): SipResponse {
  const r = parseMessage(res.toBuffer());
  if (!r.ok) throw new Error(r.failure.reason);
  return r.message as SipResponse;
}

export async function runTransactionBench(calls = 100_000): Promise<{ perSecond: number; liveRightAfter: number; liveAfterTimers: number; lingeringRightAfter: number; lingeringAfterTimers: number; heapGrowthMb: number }> {
  const timers = { t1: 1, t2: 4, t4: 5 }; // short, so that everything ends within the run
  let current: ServerTransaction | undefined;
  const user: TransactionUser = {
    onRequest: (tx) => {
      current = tx;
    },
    onCancel: () => undefined,
    onAck: () => undefined,
    onStrayResponse: () => undefined,
  };
  const handler: ClientHandler = { onResponse: () => undefined, onTimeout: () => undefined, onTransportError: () => undefined };
  const layer = new TransactionLayer({ sender: { send: () => 0 }, responseRouter: () => DEST, user, timers });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    // A leg: INVITE in, 100/180/200 out, ACK in (by dialog: ackReceived), BYE in, 200 out.
    const callId = `c${i}`;
    layer.receiveRequest(req('INVITE', `z9hG4bK-a${i}`, callId), SOURCE);
    const inv = current!;
    inv.respond(createResponse(inv.request, 100));
    inv.respond(createResponse(inv.request, 180, { toTag: 't' }));
    inv.respond(createResponse(inv.request, 200, { toTag: 't' }));
    inv.ackReceived();
    inv.release(); // as the core does once the ACK came: the INVITE moves to the linger table
    layer.receiveRequest(req('BYE', `z9hG4bK-b${i}`, callId, ';tag=t'), SOURCE);
    current!.respond(createResponse(current!.request, 200));
    current!.release();
    // B leg: INVITE out, 180/200 in; BYE out, 200 in.
    const invite = req('INVITE', newBranch(), `d${i}`);
    const inviteTx = layer.request(invite, DEST, handler);
    layer.receiveResponse(parsed(createResponse(invite, 180, { toTag: 'u' })), SOURCE);
    layer.receiveResponse(parsed(createResponse(invite, 200, { toTag: 'u' })), SOURCE);
    const bye = req('BYE', newBranch(), `d${i}`, ';tag=u');
    layer.request(bye, DEST, handler);
    layer.receiveResponse(parsed(createResponse(bye, 200)), SOURCE);
    layer.lingerAnswered(inviteTx, 'u', { bytes: ACK_BYTES, dest: DEST, cseq: 1 }); // the dialog ended
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const liveRightAfter = layer.stats().server + layer.stats().client;
  const lingeringRightAfter = layer.stats().lingering;
  // Timers L/J/K/M are 64 ms at most here; give them time, then look at what is left.
  await new Promise((r) => setTimeout(r, 1000));
  current = undefined;
  gc?.();
  return {
    perSecond: Math.round((calls * 4) / seconds),
    liveRightAfter,
    liveAfterTimers: layer.stats().server + layer.stats().client,
    lingeringRightAfter,
    lingeringAfterTimers: layer.stats().lingering,
    heapGrowthMb: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const calls = 100_000;
  const r = await runTransactionBench(calls);
  console.log(`transaction layer: ${calls} B2BUA calls, 4 transactions each (message parsing included)`);
  console.log(`  ${r.perSecond.toLocaleString('en')} transactions/s`);
  console.log(`  live transactions: ${r.liveRightAfter} right after the loop, ${r.liveAfterTimers} once the timers ran`);
  console.log(`  lingering (off the heap): ${r.lingeringRightAfter} right after the loop, ${r.lingeringAfterTimers} once the timers ran`);
  console.log(`  heap growth after the timers ran: ${r.heapGrowthMb.toFixed(1)} MiB${(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for a clean figure)'}`);
}
