import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createResponse, parseMessage, type SipRequest } from '../../src/engine/message/index.js';

export const SDP_B = 'v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\n';

export interface MiniUasOptions {
  /** Challenge the first INVITE of each call and check the retry's digest. */
  readonly auth?: { realm: string; username: string; password: string };
  /** Called for a re-INVITE before it is answered; the answer waits for the returned promise. */
  readonly beforeReInvite?: (req: SipRequest, uas: MiniUas, from: { port: number; address: string }) => Promise<void>;
}

/**
 * A tiny UDP user agent server for drachtio-srf API tests, on loopback: answers INVITE
 * (optionally after a digest challenge it checks), re-INVITE, INFO, UPDATE and BYE with
 * 200, and records every request it gets. Not a SIP stack: enough for one call at a time.
 */
export class MiniUas {
  readonly requests: SipRequest[] = [];
  private challenged = new Set<string>();

  private constructor(
    private readonly socket: Socket,
    private readonly opts: MiniUasOptions,
  ) {
    socket.on('message', (bytes, rinfo) => {
      const r = parseMessage(bytes);
      if (r.ok && !r.message.isRequest) this.responses.push(bytes.toString());
      if (!r.ok || !r.message.isRequest) return;
      const req = r.message as SipRequest;
      this.requests.push(req);
      const hook = this.opts.beforeReInvite;
      if (hook !== undefined && req.method === 'INVITE' && req.toTag !== undefined) {
        void hook(req, this, rinfo).then(() => this.answer(req, rinfo.port, rinfo.address));
      } else this.answer(req, rinfo.port, rinfo.address);
    });
  }

  static async start(opts: MiniUasOptions = {}): Promise<MiniUas> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new MiniUas(socket, opts);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends raw bytes from the UAS's socket (requests of its own, for glare tests). */
  send(text: string, port: number, address = '127.0.0.1'): void {
    this.socket.send(text, port, address);
  }

  /** Responses (not requests) the UAS received, as text. */
  readonly responses: string[] = [];

  methods(): string[] {
    return this.requests.map((r) => r.method);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(req: SipRequest, port: number, address: string): void {
    if (req.method === 'ACK') return;
    const contact: Array<[string, string]> = [['Contact', `<sip:uas@127.0.0.1:${this.port}>`]];
    let res;
    if (req.method === 'INVITE' && req.toTag === undefined && this.opts.auth !== undefined && !this.challenged.has(req.callId)) {
      this.challenged.add(req.callId);
      res = createResponse(req, 401, { toTag: 'chal', headers: [['WWW-Authenticate', `Digest realm="${this.opts.auth.realm}", nonce="n0nce", algorithm=MD5, qop="auth"`]] });
    } else if (req.method === 'INVITE' && this.opts.auth !== undefined && req.toTag === undefined && !this.validAuth(req)) {
      res = createResponse(req, 403, { toTag: 'bad' });
    } else if (req.method === 'INVITE') {
      res = createResponse(req, 200, { toTag: 'uas1', headers: [...contact, ['Content-Type', 'application/sdp']] });
      res.body = Buffer.from(SDP_B);
    } else res = createResponse(req, 200, { toTag: 'uas1', headers: req.method === 'UPDATE' ? contact : [] });
    this.socket.send(res.toBuffer(), port, address);
  }

  /** RFC 2617 digest with qop=auth, as drachtio-srf's digest client computes it. */
  private validAuth(req: SipRequest): boolean {
    const auth = this.opts.auth!;
    const header = req.get('authorization') ?? '';
    const param = (name: string): string | undefined => new RegExp(`${name}="?([^",]+)"?`).exec(header)?.[1];
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    const ha1 = md5(`${auth.username}:${auth.realm}:${auth.password}`);
    const ha2 = md5(`INVITE:${param('uri')}`);
    const expected = md5(`${ha1}:${param('nonce')}:${param('nc')}:${param('cnonce')}:${param('qop')}:${ha2}`);
    return param('username') === auth.username && param('response') === expected;
  }
}
