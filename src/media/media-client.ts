/**
 * Typed ng commands to rtpengine, each bounded in time, behind a health state so that
 * calls needing media fail fast while rtpengine is down and recover when it is back.
 *
 * Health state machine (one per client):
 *
 * | state    | event                              | next     | action                                   |
 * |----------|------------------------------------|----------|------------------------------------------|
 * | idle     | start()                            | up/down  | one ping decides                          |
 * | idle     | command                            | idle     | reject SB_MEDIA_UNAVAILABLE, nothing sent |
 * | up       | command answered (ok or error)     | up       | -                                         |
 * | up       | command or keepalive timed out     | down     | log once, notify, probe at once           |
 * | up       | keepalive timer (keepaliveMs)      | up       | ping                                      |
 * | down     | command                            | down     | reject SB_MEDIA_UNAVAILABLE, nothing sent |
 * | down     | probe answered                     | up       | log once, notify, back to keepalive       |
 * | down     | probe timed out                    | down     | next probe after doubled delay (capped)   |
 * | any      | close()                            | closed   | stop timers, close socket                 |
 *
 * A single timeout marks rtpengine down: waiting for a second one would make every call
 * in between wait the full bound, and the first probe follows at once, so an overloaded
 * but living rtpengine is back within one ping.
 *
 * @example
 *   const media = new MediaClient({ ng: '127.0.0.1:22222', commandTimeoutMs: 1000 });
 *   await media.start();                       // 'up' or 'down'
 *   const { sdp } = await media.offer({ callId, fromTag, sdp: callerSdp });
 *   await media.delete({ callId });
 *   media.close();
 */
import { SwitchboardError } from '../util/errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { anchorFlags, type AnchorOptions } from './anchor-options.js';
import {
  MAX_COMMAND_TIMEOUT_MS,
  parseNgAddress,
  UdpNgTransport,
  type NgAddress,
  type NgCommand,
  type NgParams,
  type NgReply,
  type NgTransport,
} from './ng-transport.js';

export type MediaHealth = 'idle' | 'up' | 'down' | 'closed';

export interface MediaClientOptions {
  /** rtpengine's ng address, `IPv4:port` or parsed. */
  ng: string | NgAddress;
  /** Bound on every command, 1..2000 ms. Default 1000. */
  commandTimeoutMs?: number;
  /** Ping interval while up, so an idle client notices a dead rtpengine. Default 5000. */
  keepaliveMs?: number;
  /** First reconnect probe delay after going down; doubles per failed probe. Default 100. */
  probeInitialDelayMs?: number;
  /** Cap of the probe delay. Default 2000. */
  probeMaxDelayMs?: number;
  logger?: Logger;
  /** Replaces the UDP transport (tests). */
  transport?: NgTransport;
}

export interface OfferRequest {
  callId: string;
  fromTag: string;
  sdp: string;
  /** Distinguishes forked branches of one offer. */
  viaBranch?: string;
  options?: AnchorOptions;
}

export interface AnswerRequest {
  callId: string;
  fromTag: string;
  toTag: string;
  sdp: string;
  viaBranch?: string;
  options?: AnchorOptions;
  /**
   * The answer comes from a sink (see sinkAnswer): rtpengine advertises this address to
   * the offerer instead of the sink's 0.0.0.0, and keeps the offerer's sendrecv rather
   * than treating the null address as hold.
   */
  sinkMediaAddress?: string;
}

export interface DeleteRequest {
  callId: string;
  /** Limits the delete to one side's dialog (with toTag: one branch); absent: the whole call. */
  fromTag?: string;
  toTag?: string;
  viaBranch?: string;
}

/** One party of a call: the participant whose dialog tag is `tag`. */
export interface PartyRef {
  callId: string;
  tag: string;
}

export interface PlayMediaRequest extends PartyRef {
  /** Absolute path readable by rtpengine (it opens the file itself). */
  file: string;
  /** How many times the file is played back to back. Default 1. */
  repeatTimes?: number;
}

export interface PlayDtmfRequest extends PartyRef {
  /** 0-9, *, #, A-D. */
  digit: string;
  durationMs?: number;
  /** dBm0 below the reference; rtpengine's default is 8. */
  volume?: number;
}

export interface CallQuery {
  /** Dialog tags rtpengine knows for the call. */
  tags: string[];
  /** RTP packets relayed for the call so far. */
  rtpPackets: number;
}

export interface MediaStatistics {
  /** Sessions rtpengine holds now (own and foreign). */
  sessions: number;
  /** Sessions rtpengine has handled since it started. */
  managedSessions: number;
}

const DEFAULT_TIMEOUT_MS = 1000;
const PROBE_TIMEOUT_MS = 500;
// rtpengine otherwise keeps a deleted call for 30 s (--delete-delay) and `list` still shows it.
const DELETE_NOW: NgParams = { 'delete delay': 0 };

export class MediaClient {
  private readonly transport: NgTransport;
  private readonly logger: Logger;
  private readonly label: string;
  private readonly timeoutMs: number;
  private readonly keepaliveMs: number;
  private readonly probeInitialDelayMs: number;
  private readonly probeMaxDelayMs: number;
  private readonly listeners = new Set<(health: MediaHealth) => void>();
  private state: MediaHealth = 'idle';
  private timer: NodeJS.Timeout | undefined;
  private probeDelayMs: number;
  private probing = false;

  constructor(options: MediaClientOptions) {
    const address = typeof options.ng === 'string' ? parseNgAddress(options.ng) : options.ng;
    this.label = `${address.host}:${address.port}`;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 1 || this.timeoutMs > MAX_COMMAND_TIMEOUT_MS) {
      throw new SwitchboardError('SB_CONFIG_INVALID', `media command timeout ${this.timeoutMs} ms is outside 1..${MAX_COMMAND_TIMEOUT_MS}`);
    }
    this.keepaliveMs = options.keepaliveMs ?? 5000;
    this.probeInitialDelayMs = options.probeInitialDelayMs ?? 100;
    this.probeMaxDelayMs = options.probeMaxDelayMs ?? 2000;
    this.probeDelayMs = this.probeInitialDelayMs;
    this.logger = (options.logger ?? silentLogger).child({ module: 'media', rtpengine: this.label });
    this.transport = options.transport ?? new UdpNgTransport(address, this.logger);
  }

  get health(): MediaHealth {
    return this.state;
  }

  /** Pings once to learn the initial health, then keeps it current. Resolves with it. */
  async start(): Promise<MediaHealth> {
    if (this.state !== 'idle') return this.state;
    await this.probe();
    return this.state;
  }

  /** Calls `listener` on every health change; returns the unsubscribe function. */
  onHealth(listener: (health: MediaHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends an SDP offer through rtpengine; resolves with the SDP to forward. */
  async offer(req: OfferRequest): Promise<{ sdp: string }> {
    const params: NgParams = { ...anchorFlags(req.options), 'call-id': req.callId, 'from-tag': req.fromTag, sdp: req.sdp };
    if (req.viaBranch !== undefined) params['via-branch'] = req.viaBranch;
    return { sdp: sdpOf(await this.command('offer', params), 'offer') };
  }

  /** Sends the SDP answer through rtpengine; resolves with the SDP to forward back. */
  async answer(req: AnswerRequest): Promise<{ sdp: string }> {
    const params: NgParams = {
      ...anchorFlags(req.options),
      'call-id': req.callId,
      'from-tag': req.fromTag,
      'to-tag': req.toTag,
      sdp: req.sdp,
    };
    if (req.viaBranch !== undefined) params['via-branch'] = req.viaBranch;
    if (req.sinkMediaAddress !== undefined) {
      params['media-address'] = req.sinkMediaAddress;
      params.flags = ['original-sendrecv'];
    }
    return { sdp: sdpOf(await this.command('answer', params), 'answer') };
  }

  /**
   * Deletes the call (or one dialog of it) at once. Resolves false when rtpengine did not
   * know it (already deleted or timed out), which is not an error for a cleanup path.
   */
  async delete(req: DeleteRequest): Promise<boolean> {
    const params: NgParams = { ...DELETE_NOW, 'call-id': req.callId };
    if (req.fromTag !== undefined) params['from-tag'] = req.fromTag;
    if (req.toTag !== undefined) params['to-tag'] = req.toTag;
    if (req.viaBranch !== undefined) params['via-branch'] = req.viaBranch;
    const reply = await this.command('delete', params, true);
    // rtpengine answers an unknown call with result 'ok' and a warning ("Call-ID not found ...").
    if (reply.result === 'error') return false;
    return !(typeof reply.warning === 'string' && /not found/i.test(reply.warning));
  }

  /** What rtpengine holds for the call, or undefined when it holds nothing. */
  async query(callId: string): Promise<CallQuery | undefined> {
    const reply = await this.command('query', { 'call-id': callId }, true);
    if (reply.result === 'error') return undefined;
    const tags = isRecord(reply.tags) ? Object.keys(reply.tags) : [];
    const totals = isRecord(reply.totals) && isRecord(reply.totals.RTP) ? reply.totals.RTP : {};
    return { tags, rtpPackets: typeof totals.packets === 'number' ? totals.packets : 0 };
  }

  /** Call-IDs rtpengine holds (at most `limit`). */
  async list(limit = 1000): Promise<string[]> {
    const reply = await this.command('list', { limit });
    return Array.isArray(reply.calls) ? reply.calls.filter((c): c is string => typeof c === 'string') : [];
  }

  async statistics(): Promise<MediaStatistics> {
    const reply = await this.command('statistics', {});
    const stats = isRecord(reply.statistics) ? reply.statistics : {};
    const current = isRecord(stats.currentstatistics) ? stats.currentstatistics : {};
    const total = isRecord(stats.totalstatistics) ? stats.totalstatistics : {};
    return { sessions: Number(current.sessionstotal ?? 0), managedSessions: Number(total.managedsessions ?? 0) };
  }

  /** Plays a file to one party; resolves with the file's duration when rtpengine reports it. */
  async playMedia(req: PlayMediaRequest): Promise<{ durationMs: number | undefined }> {
    const params: NgParams = { 'call-id': req.callId, 'from-tag': req.tag, file: req.file };
    if (req.repeatTimes !== undefined) params['repeat-times'] = req.repeatTimes;
    const reply = await this.command('play media', params);
    return { durationMs: typeof reply.duration === 'number' ? reply.duration : undefined };
  }

  /** Stops what `playMedia` plays to the party; the relayed audio resumes. */
  async stopMedia(ref: PartyRef): Promise<void> {
    await this.command('stop media', { 'call-id': ref.callId, 'from-tag': ref.tag });
  }

  /** Injects an RFC 4733 digit towards the party (e.g. to drive a far-end IVR). */
  async playDtmf(req: PlayDtmfRequest): Promise<void> {
    const params: NgParams = { 'call-id': req.callId, 'from-tag': req.tag, code: req.digit };
    if (req.durationMs !== undefined) params.duration = req.durationMs;
    if (req.volume !== undefined) params.volume = req.volume;
    await this.command('play DTMF', params);
  }

  /** Stops relaying the party's digits to the other side (digits still reach the DTMF log). */
  async blockDtmf(ref: PartyRef): Promise<void> {
    await this.command('block DTMF', { 'call-id': ref.callId, 'from-tag': ref.tag });
  }

  async unblockDtmf(ref: PartyRef): Promise<void> {
    await this.command('unblock DTMF', { 'call-id': ref.callId, 'from-tag': ref.tag });
  }

  /**
   * Starts recording the whole call (rtpengine's --recording-dir/--recording-method);
   * `metadata` lands in rtpengine's metadata file for the call.
   */
  async startRecording(callId: string, metadata?: string): Promise<void> {
    const params: NgParams = { 'call-id': callId };
    if (metadata !== undefined) params.metadata = metadata;
    await this.command('start recording', params);
  }

  async stopRecording(callId: string): Promise<void> {
    await this.command('stop recording', { 'call-id': callId });
  }

  /** One ping with the command bound; rejects like any command. */
  async ping(): Promise<void> {
    await this.command('ping', {});
  }

  close(): void {
    if (this.state === 'closed') return;
    clearTimeout(this.timer);
    this.setState('closed');
    this.listeners.clear();
    this.transport.close();
  }

  private async command(name: NgCommand, params: NgParams, errorIsAnswer = false): Promise<NgReply> {
    if (this.state !== 'up') {
      throw new SwitchboardError('SB_MEDIA_UNAVAILABLE', `rtpengine ${this.label} is ${this.state}: ng ${name} not sent`);
    }
    let reply: NgReply;
    try {
      reply = await this.transport.send(name, params, this.timeoutMs);
    } catch (err) {
      this.markDown(err);
      throw err;
    }
    if (reply.result === 'error' && !errorIsAnswer) {
      const reason = typeof reply['error-reason'] === 'string' ? reply['error-reason'] : 'no reason given';
      throw new SwitchboardError('SB_MEDIA_REFUSED', `rtpengine refused ng ${name} for ${String(params['call-id'] ?? '-')}: ${reason}`);
    }
    return reply;
  }

  private markDown(err: unknown): void {
    if (this.state !== 'up') return;
    this.logger.warn({ err }, 'rtpengine is down; calls needing media fail until it answers again');
    this.setState('down');
    this.probeDelayMs = this.probeInitialDelayMs;
    this.schedule(0);
  }

  private async probe(): Promise<void> {
    if (this.probing || this.state === 'closed') return;
    this.probing = true;
    let alive: boolean;
    try {
      await this.transport.send('ping', {}, Math.min(PROBE_TIMEOUT_MS, this.timeoutMs));
      alive = true;
    } catch {
      alive = false;
    } finally {
      this.probing = false;
    }
    // close() may have run while the ping was out.
    if ((this.state as MediaHealth) === 'closed') return;
    if (alive) {
      if (this.state !== 'up') {
        if (this.state === 'down') this.logger.info('rtpengine answers again');
        this.setState('up');
      }
      this.probeDelayMs = this.probeInitialDelayMs;
      this.schedule(this.keepaliveMs);
      return;
    }
    if (this.state === 'up') {
      this.markDown(new SwitchboardError('SB_MEDIA_UNAVAILABLE', 'keepalive ping unanswered'));
      return;
    }
    if (this.state === 'idle') {
      this.logger.warn('rtpengine does not answer; calls needing media fail until it does');
      this.setState('down');
    }
    const delay = this.probeDelayMs;
    this.probeDelayMs = Math.min(this.probeDelayMs * 2, this.probeMaxDelayMs);
    this.schedule(delay);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.probe(), delayMs);
    // Health checks alone must not keep the process alive.
    this.timer.unref();
  }

  private setState(next: MediaHealth): void {
    this.state = next;
    for (const listener of this.listeners) listener(next);
  }
}

function sdpOf(reply: NgReply, verb: string): string {
  if (typeof reply.sdp !== 'string') {
    throw new SwitchboardError('SB_MEDIA_REFUSED', `rtpengine's ${verb} reply carries no SDP`);
  }
  return reply.sdp;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
