/**
 * Recording of bridged calls by rtpengine itself: `start recording` / `stop recording` ng
 * commands, with rtpengine started with `--recording-dir=DIR --recording-method=pcap`
 * (RtpengineProcess option `recordingDir`). The userspace daemon (10.5) writes, per call:
 *
 *   DIR/pcaps/<escaped call-id>-<16 hex>.pcap                 every RTP packet of the call, both ways
 *   DIR/metadata/rtpengine-meta-<escaped call-id>-<16 hex>.txt the pcap path, call start/end, our metadata
 *
 * where the call-id is %-escaped (everything but A-Z a-z 0-9 - . _ ~). Method `proc`
 * needs the kernel module and the separate recording daemon and is not used.
 *
 * stop() writes a JSON sidecar next to the pcap (`<same name>.json`: call-id, parties,
 * start, end, files relative to DIR). A recording failure never fails the call: start()
 * and stop() log and resolve, they never reject.
 *
 * @example
 *   const recorder = new CallRecorder({ client: media, recordingDir: '/var/spool/switchboard/recordings' });
 *   await recorder.start(callId, { caller: 'sip:+14155550123@carrier', callee: 'alice' }); // after the answer
 *   // ... hang-up, before session.close():
 *   const sidecar = await recorder.stop(callId); // { callId, parties, startedAt, endedAt, files: ['pcaps/…pcap'], … }
 */
import { readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../util/logger.js';
import type { MediaClient } from './media-client.js';

export interface CallRecorderOptions {
  client: MediaClient;
  /** rtpengine's --recording-dir, as this process sees it (managed mode: the same path). */
  recordingDir: string;
  /** Wall clock for start/end. Default Date.now. */
  now?: () => number;
  logger?: Logger;
}

export interface CallRecordingParties {
  caller: string;
  callee: string;
}

/** The JSON sidecar of one recording. */
export interface CallRecordingSidecar {
  callId: string;
  parties: CallRecordingParties;
  /** ISO 8601. */
  startedAt: string;
  endedAt: string;
  /** pcap files, relative to the recording directory. */
  files: string[];
  /** rtpengine's metadata files, relative to the recording directory. */
  metadata: string[];
}

interface Active {
  parties: CallRecordingParties;
  startedAt: number;
}

/** rtpengine's file-name form of a Call-ID: every byte but A-Z a-z 0-9 - . _ ~ as %XX. */
export function escapeCallId(callId: string): string {
  return encodeURIComponent(callId).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const RANDOM_SUFFIX = /^-[0-9a-f]{16}$/;

export class CallRecorder {
  private readonly active = new Map<string, Active>();
  private readonly client: MediaClient;
  private readonly dir: string;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(options: CallRecorderOptions) {
    this.client = options.client;
    this.dir = options.recordingDir;
    this.now = options.now ?? Date.now;
    this.logger = (options.logger ?? silentLogger).child({ module: 'call-recording' });
  }

  /** Calls being recorded now. */
  get size(): number {
    return this.active.size;
  }

  isRecording(callId: string): boolean {
    return this.active.has(callId);
  }

  /** Asks rtpengine to record the call (already offered and answered). Resolves false on failure; never rejects. */
  async start(callId: string, parties: CallRecordingParties): Promise<boolean> {
    if (this.active.has(callId)) return true;
    try {
      await this.client.startRecording(callId, `switchboard caller=${parties.caller} callee=${parties.callee}`);
    } catch (err) {
      this.logger.warn({ err, callId }, 'call recording could not start; the call goes on unrecorded');
      return false;
    }
    this.active.set(callId, { parties, startedAt: this.now() });
    return true;
  }

  /**
   * Stops the recording (harmless when rtpengine already deleted the call: the pcap is
   * closed then), finds its files and writes the sidecar. Resolves with the sidecar, or
   * undefined when the call was not being recorded or the sidecar could not be written.
   */
  async stop(callId: string): Promise<CallRecordingSidecar | undefined> {
    const active = this.active.get(callId);
    if (active === undefined) return undefined;
    this.active.delete(callId);
    const endedAt = this.now();
    try {
      await this.client.stopRecording(callId);
    } catch (err) {
      // Deleted first (hang-up raced us) or rtpengine down: the files are what they are.
      this.logger.debug({ err, callId }, 'stop recording not applied');
    }
    try {
      const escaped = escapeCallId(callId);
      const files = await this.filesOf('pcaps', escaped, '', '.pcap');
      const metadata = await this.filesOf('metadata', escaped, 'rtpengine-meta-', '.txt');
      const sidecar: CallRecordingSidecar = {
        callId,
        parties: active.parties,
        startedAt: new Date(active.startedAt).toISOString(),
        endedAt: new Date(endedAt).toISOString(),
        files,
        metadata,
      };
      if (files.length === 0) this.logger.warn({ callId, dir: this.dir }, 'rtpengine wrote no pcap for a recorded call');
      const base = files[0]?.replace(/\.pcap$/, '') ?? join('pcaps', `${escaped}-${active.startedAt}`);
      const path = join(this.dir, `${base}.json`);
      await writeFile(`${path}.tmp`, `${JSON.stringify(sidecar, null, 2)}\n`);
      await rename(`${path}.tmp`, path);
      return sidecar;
    } catch (err) {
      this.logger.warn({ err, callId }, 'call recording sidecar could not be written');
      return undefined;
    }
  }

  /** `sub/<prefix><escaped>-<16 hex><ext>`, relative to the recording directory. */
  private async filesOf(sub: string, escaped: string, prefix: string, ext: string): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, sub));
    } catch {
      return [];
    }
    const head = `${prefix}${escaped}`;
    return names
      .filter((n) => n.startsWith(head) && n.endsWith(ext) && RANDOM_SUFFIX.test(n.slice(head.length, n.length - ext.length)))
      .sort()
      .map((n) => join(sub, n));
  }
}
