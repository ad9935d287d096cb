/**
 * One UDP socket to rtpengine's ng control port, over `rtpengine-client`, with a hard
 * bound on how long any command may wait for its reply.
 *
 * rtpengine-client has a single timeout per client; it is set to the largest bound
 * (MAX_COMMAND_TIMEOUT_MS) so that its table of pending replies never grows past 2 s
 * of traffic, and each command races its own, possibly shorter, timer.
 *
 * @example
 *   const ng = new UdpNgTransport(parseNgAddress('127.0.0.1:22222'));
 *   const reply = await ng.send('ping', {}, 500); // { result: 'pong' }
 *   ng.close();
 */
import rtpengine from 'rtpengine-client';
import { isIPv4 } from 'node:net';
import { SwitchboardError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';

/** ng verbs Switchboard sends, spelled as on the wire. */
export type NgCommand =
  | 'ping'
  | 'offer'
  | 'answer'
  | 'delete'
  | 'query'
  | 'list'
  | 'statistics'
  | 'play media'
  | 'stop media'
  | 'play DTMF'
  | 'block DTMF'
  | 'unblock DTMF'
  | 'start recording'
  | 'stop recording';

export type NgParams = Record<string, unknown>;
export type NgReply = Record<string, unknown>;

/** The ng protocol as the media client needs it; tests substitute a fake. */
export interface NgTransport {
  /** Resolves with rtpengine's reply, or rejects with SB_MEDIA_UNAVAILABLE after `timeoutMs`. */
  send(command: NgCommand, params: NgParams, timeoutMs: number): Promise<NgReply>;
  close(): void;
}

export interface NgAddress {
  host: string;
  port: number;
}

/** No ng command waits longer than this (issue 6: calls needing media fail within 2 s). */
export const MAX_COMMAND_TIMEOUT_MS = 2000;

const METHOD: Record<NgCommand, keyof InstanceType<typeof rtpengine.Client>> = {
  ping: 'ping',
  offer: 'offer',
  answer: 'answer',
  delete: 'delete',
  query: 'query',
  list: 'list',
  statistics: 'statistics',
  'play media': 'playMedia',
  'stop media': 'stopMedia',
  'play DTMF': 'playDTMF',
  'block DTMF': 'blockDTMF',
  'unblock DTMF': 'unblockDTMF',
  'start recording': 'startRecording',
  'stop recording': 'stopRecording',
};

/**
 * Parses `IPv4:port`. rtpengine-client only opens udp4 sockets, and names are refused
 * rather than resolved (no DNS on the call path).
 *
 * @example
 *   parseNgAddress('127.0.0.1:22222'); // { host: '127.0.0.1', port: 22222 }
 */
export function parseNgAddress(text: string): NgAddress {
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon);
  const port = Number(text.slice(colon + 1));
  if (colon < 0 || !isIPv4(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SwitchboardError('SB_CONFIG_INVALID', `rtpengine ng address "${text}" is not IPv4:port`);
  }
  return { host, port };
}

export class UdpNgTransport implements NgTransport {
  private readonly client: InstanceType<typeof rtpengine.Client>;
  private readonly label: string;
  private closed = false;

  constructor(
    private readonly address: NgAddress,
    logger: Logger = silentLogger,
  ) {
    this.label = `${address.host}:${address.port}`;
    // A loopback rtpengine is answered from loopback; a remote one from any local address.
    const localAddress = address.host.startsWith('127.') ? '127.0.0.1' : undefined;
    this.client = new rtpengine.Client({ localPort: 0, localAddress, timeout: MAX_COMMAND_TIMEOUT_MS });
    // Late replies (after rtpengine-client's own timeout) and socket errors arrive here;
    // without a listener an EventEmitter 'error' would throw.
    this.client.on('error', (err: unknown) => logger.debug({ err, ng: this.label }, 'rtpengine ng socket event'));
  }

  send(command: NgCommand, params: NgParams, timeoutMs: number): Promise<NgReply> {
    if (this.closed) {
      return Promise.reject(new SwitchboardError('SB_MEDIA_UNAVAILABLE', `ng ${command}: client closed`));
    }
    const bound = Math.min(timeoutMs, MAX_COMMAND_TIMEOUT_MS);
    const verb = this.client[METHOD[command]] as (dest: NgAddress, p: NgParams) => Promise<NgReply>;
    return new Promise<NgReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new SwitchboardError('SB_MEDIA_UNAVAILABLE', `rtpengine ${this.label} did not answer ng ${command} within ${bound} ms`));
      }, bound);
      verb.call(this.client, this.address, params).then(
        (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(new SwitchboardError('SB_MEDIA_UNAVAILABLE', `rtpengine ${this.label}: ng ${command} failed`, { cause: err }));
        },
      );
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }
}
