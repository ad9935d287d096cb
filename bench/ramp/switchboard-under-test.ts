/**
 * Switchboard as the bench drives it: the engine in its worker thread and the
 * drachtio-srf B2BUA on this thread, as `switchboard start` runs them, with a config
 * that routes every call to the current far end (a SIPp UAS on a port chosen per step).
 *
 * @example
 *   const sb = await SwitchboardUnderTest.start();
 *   await sb.routeTo(uasPort);
 *   … SIPp calls 127.0.0.1:sb.sipPort …
 *   await sb.stop();
 */
import { B2buaApp } from '../../src/app/b2bua.js';
import type { AcdService } from '../../src/app/queue/acd-service.js';
import { parseConfig } from '../../src/config/index.js';
import type { EngineStats } from '../../src/engine/engine.js';
import { EngineThread } from '../../src/engine/worker/engine-thread.js';
import { MediaService } from '../../src/media/index.js';
import { compileRouter } from '../../src/routing/index.js';
import { freePort } from './ports.js';
import { usePlainEnvironment } from '../../src/util/plain-env.js';

const SECRET = 'bench-secret';
/**
 * rtpengine's RTP ports, below the kernel's ephemeral range (32768-60999) from which the
 * bench picks SIPp's ports with bind(0): a port picked for a SIPp that binds it later must
 * not be taken by rtpengine meanwhile (it was: all calls of a step failed at once).
 */
const RTP_PORT_MIN = 20_000;
const RTP_PORT_MAX = 29_999;

export class SwitchboardUnderTest {
  private app: B2buaApp | undefined;

  private constructor(
    private readonly engine: EngineThread,
    readonly sipPort: number,
    private readonly controlPort: number,
    private readonly media: MediaService | undefined,
  ) {}

  /** With `media`, a managed rtpengine anchors every call (as `switchboard start` does by default). */
  static async start(o: { media?: boolean } = {}): Promise<SwitchboardUnderTest> {
    usePlainEnvironment(); // as `switchboard start` does
    const sipPort = await freePort();
    const controlPort = await freePort();
    const media = o.media === true ? await MediaService.start({ mode: 'managed', ng: { host: '127.0.0.1', port: await freePort() }, interfaces: ['127.0.0.1'], portMin: RTP_PORT_MIN, portMax: RTP_PORT_MAX, mediaDir: 'config/media' }) : undefined;
    try {
      const engine = await EngineThread.start({ sip: [`udp:127.0.0.1:${sipPort}`], control: { host: '127.0.0.1', port: controlPort, secret: SECRET }, logLevel: 'warn' });
      return new SwitchboardUnderTest(engine, sipPort, controlPort, media);
    } catch (err) {
      await media?.stop();
      throw err;
    }
  }

  /** rtpengine's process, when media is anchored (for CPU and RSS readings). */
  get rtpenginePid(): number | undefined {
    return this.media?.process?.pid;
  }

  /**
   * Reconnects the application with a config that rings sip:service@127.0.0.1:<port>
   * (every call refused when no port), with `user` as a SIP user (registration storm).
   */
  async routeTo(uasPort: number | undefined, user?: { name: string; password: string }): Promise<void> {
    const ring = uasPort === undefined ? '{ reject: 404 }' : `{ ring: "sip:service@127.0.0.1:${uasPort}" }`;
    // SIPp 3.6 answers MD5 challenges only, and takes the first WWW-Authenticate it gets.
    const users = user === undefined ? '' : `users:\n  ${user.name}: { password: ${user.password} }\nsecurity:\n  auth: { algorithms: [MD5] }\n`;
    await this.configure(`trunks:\n  bench: { inbound: { sources: [127.0.0.0/8] } }\n${users}routes:\n  - name: all\n    match: { to: { pattern: ".*" } }\n    then: ${ring}\n`);
  }

  /** Reconnects the application with this YAML config (the hold-queue bench's queue and routes). */
  async configure(yaml: string): Promise<void> {
    this.app?.disconnect();
    const config = parseConfig(yaml, 'bench.yaml');
    this.app = new B2buaApp({ config, router: compileRouter(config), ...(this.media === undefined ? {} : { media: this.media }) });
    await this.app.connect({ host: '127.0.0.1', port: this.controlPort, secret: SECRET });
    // Let the engine register the new connection before the first INVITE.
    await new Promise((r) => setTimeout(r, 200));
  }

  /** The application's ACD (queues and agents), when the config has queues. */
  get acd(): AcdService | undefined {
    return this.app?.acd;
  }

  /** Calls the application holds now (both legs up or being set up). */
  get activeCalls(): number {
    return this.app?.activeCalls ?? 0;
  }

  engineStats(): Promise<EngineStats> {
    return this.engine.stats();
  }

  async stop(): Promise<void> {
    this.app?.disconnect();
    await this.media?.stop();
    await this.engine.stop();
  }
}
