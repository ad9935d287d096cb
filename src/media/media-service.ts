/**
 * The media layer assembled for one Switchboard process, per `media.rtpengine.mode`:
 *
 * - managed:  start and supervise rtpengine (RtpengineProcess), with DTMF events sent to
 *             a loopback port of ours; then connect the client.
 * - external: connect to a running rtpengine at `ng`; DTMF events arrive only if it was
 *             started with `--dtmf-log-dest` pointing at `dtmfListen`.
 * - off:      no media relay; `available` is false and calls needing media must be
 *             refused (signalling-only routes work as usual).
 *
 * Shutdown order matters: sessions are deleted while rtpengine still runs, then the
 * client and DTMF socket close, then rtpengine is stopped.
 *
 * @example
 *   const media = await MediaService.start({ mode: 'managed', ng: '127.0.0.1:22222',
 *     portMin: 30000, portMax: 30999, mediaDir: 'config/media', logger });
 *   const session = media.sessions!.open(callId, fromTag);
 *   // ...
 *   await media.stop();
 */
import { silentLogger, type Logger } from '../util/logger.js';
import { mediaPath } from './announcements.js';
import { CallRecorder } from './call-recording.js';
import { DtmfEvents } from './dtmf-events.js';
import { MediaClient } from './media-client.js';
import { MediaSessions } from './media-session.js';
import { parseNgAddress, type NgAddress } from './ng-transport.js';
import { RtpengineProcess } from './rtpengine-process.js';

export type MediaMode = 'managed' | 'external' | 'off';

export interface MediaServiceOptions {
  mode: MediaMode;
  /** rtpengine's ng address: where a managed one listens, or where an external one is. */
  ng: string | NgAddress;
  /** Directory of prompts, greetings and music (media.files). */
  mediaDir: string;
  /** Managed: RTP interfaces (`--interface`: an IP address, or LOCAL!ADVERTISED). Default ['127.0.0.1']. */
  interfaces?: readonly string[];
  /** Managed: RTP port range. Defaults 30000-40000. */
  portMin?: number;
  portMax?: number;
  /** Managed: end a call when no RTP arrived for this long (media.rtpengine.timeout), seconds. */
  mediaTimeoutSec?: number;
  /** Bound on each ng command, at most 2000 ms. Default 1000. */
  commandTimeoutMs?: number;
  /**
   * Where DTMF events are received. Managed: default 127.0.0.1 on a free port, passed to
   * rtpengine. External: only when set (rtpengine's --dtmf-log-dest must match).
   */
  dtmfListen?: NgAddress;
  /**
   * Managed: where rtpengine writes call recordings (media.recordings); enables
   * `recorder`. External: the same directory as the external rtpengine's --recording-dir.
   */
  recordingDir?: string;
  /** Managed: rtpengine's playback threads (--media-num-threads). Default 1. */
  playbackThreads?: number;
  /** Managed: the rtpengine binary. */
  binary?: string;
  logger?: Logger;
}

export class MediaService {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly mode: MediaMode,
    readonly client: MediaClient | undefined,
    readonly sessions: MediaSessions | undefined,
    readonly dtmf: DtmfEvents | undefined,
    readonly process: RtpengineProcess | undefined,
    /** Records bridged calls; present when a recording directory was given. */
    readonly recorder: CallRecorder | undefined = undefined,
  ) {}

  /**
   * Brings the layer up. Managed: rejects (leaving nothing running) when rtpengine cannot
   * be started. External: resolves even when rtpengine is down; the client reconnects.
   */
  static async start(options: MediaServiceOptions): Promise<MediaService> {
    if (options.mode === 'off') return new MediaService('off', undefined, undefined, undefined, undefined);
    const logger = options.logger ?? silentLogger;
    const ng = typeof options.ng === 'string' ? parseNgAddress(options.ng) : options.ng;
    const dtmfListen = options.dtmfListen ?? (options.mode === 'managed' ? { host: '127.0.0.1', port: 0 } : undefined);
    const dtmf = dtmfListen === undefined ? undefined : await DtmfEvents.listen(dtmfListen, logger);
    let process: RtpengineProcess | undefined;
    if (options.mode === 'managed') {
      process = new RtpengineProcess({
        ng,
        interfaces: options.interfaces ?? ['127.0.0.1'],
        portMin: options.portMin ?? 30_000,
        portMax: options.portMax ?? 40_000,
        mediaTimeoutSec: options.mediaTimeoutSec,
        dtmfLogDest: dtmf?.address,
        recordingDir: options.recordingDir,
        extraArgs: [`--media-num-threads=${options.playbackThreads ?? 1}`],
        binary: options.binary,
        logger,
      });
      try {
        await process.start();
      } catch (err) {
        dtmf?.close();
        throw err;
      }
    }
    const client = new MediaClient({ ng, commandTimeoutMs: options.commandTimeoutMs, logger });
    await client.start();
    const sessions = new MediaSessions(client, { dtmf, logger, resolveFile: (file) => mediaPath(options.mediaDir, file) });
    const recorder = options.recordingDir === undefined ? undefined : new CallRecorder({ client, recordingDir: options.recordingDir, logger });
    return new MediaService(options.mode, client, sessions, dtmf, process, recorder);
  }

  /** Whether calls needing media can be set up now. */
  get available(): boolean {
    return this.client?.health === 'up';
  }

  /** Deletes every session, closes sockets, stops a managed rtpengine. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    await this.sessions?.closeAll();
    this.sessions?.dispose();
    this.client?.close();
    this.dtmf?.close();
    await this.process?.stop();
  }
}
