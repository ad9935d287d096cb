import { createSocket, type Socket } from 'node:dgram';
import { parseMessage, type SipRequest, type SipResponse } from '../../src/engine/message/index.js';
import { audioPortOf, RtpEndpoint } from './rtp/rtp-endpoint.js';
import { waitFor } from './sip-peer.js';

/**
 * A caller for media tests: SIP over UDP on loopback (INVITE with an SDP for its own RTP
 * endpoint, ACK, BYE, INFO; answers Switchboard's BYE) plus that RtpEndpoint, so a test
 * can hear prompts, send tones and RFC 4733 digits, and check what arrives. SIPp cannot
 * check audio content; this can.
 *
 * @example
 *   const caller = await MediaCaller.open();
 *   expect(await caller.invite(engine.udpPort, '1000')).toBe(200);   // RTP now flows to rtpengine
 *   await caller.rtp.sendTone({ hz: 1000, packets: 50 });
 *   await caller.bye();
 *   caller.close();
 */
export class MediaCaller {
  readonly responses: SipResponse[] = [];
  readonly requests: SipRequest[] = [];
  private cseq = 1;
  private remoteTag = '';
  private contact = '';
  private target = 0;
  private number = '';
  /** Sent in the same tick as the ACK of the first 2xx (see holdRightAfterAck). */
  private afterAck: string | undefined;
  private readonly tag = `mc${Math.floor(Math.random() * 1e9)}`;
  readonly callId = `media-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@127.0.0.1`;

  private constructor(
    private readonly socket: Socket,
    readonly rtp: RtpEndpoint,
  ) {
    socket.on('message', (bytes, rinfo) => {
      const r = parseMessage(bytes);
      if (!r.ok) return;
      if (r.message.isRequest) return this.onRequest(r.message as SipRequest, rinfo.port);
      const res = r.message as SipResponse;
      this.responses.push(res);
      if (res.cseq.method === 'INVITE' && res.status >= 200 && res.status < 300) this.ackFor(res);
      else if (res.cseq.method === 'INVITE' && res.status >= 300) this.ackFailure(res);
    });
  }

  static async open(): Promise<MediaCaller> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new MediaCaller(socket, await RtpEndpoint.open());
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Whether Switchboard sent this caller a BYE (it hung up). */
  get hungUpByFarEnd(): boolean {
    return this.requests.some((r) => r.method === 'BYE');
  }

  /** The final response to the INVITE, once it came. */
  finalResponse(): SipResponse | undefined {
    return this.responses.find((r) => r.cseq.method === 'INVITE' && r.status >= 200);
  }

  /** Sends the INVITE; resolves with the final status (0: none within `timeoutMs`). */
  async invite(port: number, number: string, timeoutMs = 10_000): Promise<number> {
    this.target = port;
    this.number = number;
    const sdp = this.rtp.sdp();
    this.send(this.request('INVITE', number, [`Contact: <sip:caller@127.0.0.1:${this.port}>`, 'Content-Type: application/sdp'], sdp, 1));
    await waitFor(() => this.finalResponse() !== undefined, timeoutMs);
    return this.finalResponse()?.status ?? 0;
  }

  /** Ends the call; resolves with the BYE's status. */
  async bye(): Promise<number> {
    const cseq = ++this.cseq;
    this.send(this.request('BYE', 'x', [], '', cseq, true));
    await waitFor(() => this.responses.some((r) => r.cseq.method === 'BYE'), 5000);
    return this.responses.find((r) => r.cseq.method === 'BYE')?.status ?? 0;
  }

  /**
   * Sends a re-INVITE with this SDP in the same tick as the ACK of the call's 200, as a
   * phone that holds at once (or SIPp without a pause) does.
   */
  holdRightAfterAck(sdp: string): void {
    this.afterAck = sdp;
  }

  /** A re-INVITE with this SDP (hold: a=sendonly); resolves with the 200's SDP ('' on failure). */
  async reinvite(sdp: string): Promise<string> {
    const cseq = ++this.cseq;
    this.send(this.request('INVITE', 'x', [`Contact: <sip:caller@127.0.0.1:${this.port}>`, 'Content-Type: application/sdp'], sdp, cseq, true));
    const done = (): SipResponse | undefined => this.responses.find((r) => r.cseq.method === 'INVITE' && r.cseq.seq === cseq && r.status >= 200);
    await waitFor(() => done() !== undefined, 5000);
    const res = done();
    return res !== undefined && res.status === 200 ? res.body.toString() : '';
  }

  /** Cancels the INVITE (still unanswered); the INVITE then ends with 487. */
  cancel(): void {
    this.send(this.request('CANCEL', this.number, [], '', 1).replace('branch=z9hG4bK-CANCEL-1-', 'branch=z9hG4bK-INVITE-1-'));
  }

  /** A DTMF key by SIP INFO (application/dtmf-relay); resolves with the status. */
  async info(digit: string): Promise<number> {
    const cseq = ++this.cseq;
    this.send(this.request('INFO', 'x', ['Content-Type: application/dtmf-relay'], `Signal=${digit}\r\nDuration=160\r\n`, cseq, true));
    await waitFor(() => this.responses.some((r) => r.cseq.method === 'INFO' && r.cseq.seq === cseq), 5000);
    return this.responses.find((r) => r.cseq.method === 'INFO' && r.cseq.seq === cseq)?.status ?? 0;
  }

  close(): void {
    this.rtp.close();
    this.socket.close();
  }

  private request(method: string, number: string, extra: string[], body: string, cseq: number, inDialog = false): string {
    const uri = inDialog && this.contact !== '' ? this.contact : `sip:${number}@127.0.0.1:${this.target}`;
    return [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=z9hG4bK-${method}-${cseq}-${this.tag}`,
      'Max-Forwards: 70',
      `From: <sip:+14155550100@127.0.0.1>;tag=${this.tag}`,
      `To: <sip:${number}@127.0.0.1>${inDialog ? `;tag=${this.remoteTag}` : ''}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      ...extra,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  /** The ACK of a failed INVITE (same branch as the INVITE: part of its transaction). */
  private ackFailure(res: SipResponse): void {
    const ack = this.request('ACK', this.number, [], '', 1).replace('branch=z9hG4bK-ACK-1-', 'branch=z9hG4bK-INVITE-1-');
    this.send(ack.replace(/^(To: [^\r]*)/m, `$1;tag=${res.toTag ?? ''}`));
  }

  private ackFor(res: SipResponse): void {
    this.remoteTag = res.toTag ?? '';
    const contact = /<([^>]+)>/.exec(res.get('contact') ?? '')?.[1];
    if (contact !== undefined) this.contact = contact;
    const body = res.body.toString();
    if (body.includes('m=audio')) this.rtp.setRemote(audioPortOf(body));
    const seq = res.cseq.seq;
    this.send(this.request('ACK', 'x', [], '', seq, true).replace(`branch=z9hG4bK-ACK-${seq}-`, `branch=z9hG4bK-ACK-${seq}-${Date.now()}-`));
    const sdp = this.afterAck;
    this.afterAck = undefined;
    if (sdp !== undefined) void this.reinvite(sdp);
  }

  private onRequest(req: SipRequest, port: number): void {
    this.requests.push(req);
    if (req.method === 'ACK') return;
    const via = req.getAll('via').join(', ');
    const reply = [
      'SIP/2.0 200 OK',
      `Via: ${via}`,
      `From: ${req.get('from')}`,
      `To: ${req.get('to')}`,
      `Call-ID: ${req.callId}`,
      `CSeq: ${req.cseq.seq} ${req.method}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    this.socket.send(reply, port, '127.0.0.1');
  }

  private send(text: string): void {
    this.socket.send(text, this.target, '127.0.0.1');
  }
}
