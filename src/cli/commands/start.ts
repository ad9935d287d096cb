/**
 * `switchboard start --config FILE`: the main job. Starts the SIP engine in its own
 * worker thread (or uses an external drachtio-server, `sip.drachtio.mode: external`)
 * and the call-handling application on the main thread, connected over the drachtio
 * control port. Stops cleanly on SIGTERM and SIGINT.
 *
 * @example
 *   $ switchboard start --config config/switchboard.example.yaml
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { B2buaApp, type DrachtioTarget } from '../../app/b2bua.js';
import { ingressOptions } from '../../app/inbound.js';
import { CdrWriter } from '../../cdr/index.js';
import { offsetClock } from '../../util/clock.js';
import { ConfigError, formatIssue, loadConfigFile, type Config } from '../../config/index.js';
import { EngineThread } from '../../engine/worker/engine-thread.js';
import { NO_ACD_MODEL } from '../../api/admin-model.js';
import { startAdminServer, type AdminServer } from '../../api/admin-server.js';
import { MediaService, parseNgAddress } from '../../media/index.js';
import { compileRouter } from '../../routing/index.js';
import { isSwitchboardError } from '../../util/errors.js';
import { createLogger, type Logger } from '../../util/logger.js';
import { parseOptions } from '../args.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { untilSignal } from './engine.js';
import { usePlainEnvironment } from '../../util/plain-env.js';

export const summary = 'run the SIP engine and the application (the main job)';

const USAGE = `usage: switchboard start --config FILE [--log-level LEVEL] [--test-clock ISO-8601]

Starts the SIP engine (embedded, in a worker thread, or an external drachtio-server as
the config says) and the call-routing application. Stops cleanly on SIGTERM/SIGINT.

  --test-clock ISO   test only: the clock starts at this instant (e.g. 2026-12-24T18:00:00Z)
                     and runs on from there, so schedules can be tested end to end.`;

export async function run(argv: string[]): Promise<number> {
  let o: { config?: string; 'log-level'?: string; 'test-clock'?: string; help?: boolean };
  try {
    o = parseOptions(argv, {
      config: { type: 'string', short: 'c' },
      'log-level': { type: 'string' },
      'test-clock': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
  } catch (err) {
    if (!isSwitchboardError(err, 'SB_USAGE')) throw err;
    process.stderr.write(`switchboard start: ${err.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (o.config === undefined) {
    process.stderr.write(`switchboard start: --config is required\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const testClockAt = o['test-clock'] === undefined ? undefined : Date.parse(o['test-clock']);
  if (testClockAt !== undefined && !Number.isFinite(testClockAt)) {
    process.stderr.write(`switchboard start: --test-clock ${JSON.stringify(o['test-clock'])} is not an ISO-8601 instant, e.g. 2026-12-24T18:00:00Z\n`);
    return EXIT_USAGE;
  }
  let config: Config;
  try {
    config = await loadConfigFile(o.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const issue of err.issues) process.stderr.write(`${formatIssue(issue)}\n`);
      return EXIT_INVALID;
    }
    if (isSwitchboardError(err)) {
      process.stderr.write(`switchboard start: ${err.message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
  const logLevel = o['log-level'] ?? process.env['SWITCHBOARD_LOG_LEVEL'] ?? 'info';
  const logger = createLogger({ level: logLevel });
  let engine: EngineThread | undefined;
  let app: B2buaApp | undefined;
  let media: MediaService | undefined;
  let admin: AdminServer | undefined;
  const cdr = config.cdr.path === undefined ? undefined : new CdrWriter({ path: config.cdr.path, logger });
  const now = testClockAt === undefined ? Date.now : offsetClock(testClockAt).now;
  if (testClockAt !== undefined) logger.warn({ at: new Date(testClockAt).toISOString() }, 'test clock in use: routing runs at a shifted time');
  try {
    let target: DrachtioTarget;
    const sip = config.sip;
    if (sip.drachtio.mode === 'external') {
      target = { host: sip.drachtio.host!, port: sip.drachtio.port, secret: sip.drachtio.secret! };
    } else {
      const [host, port] = splitHostPort(sip.control.listen);
      // A loopback control port may run without a configured secret: one is made per start.
      const secret = sip.control.secret ?? randomBytes(18).toString('base64url');
      engine = await EngineThread.start({
        sip: sip.listen,
        control: { host, port, secret },
        timers: sip.timers,
        transport: {
          maxMessageSize: sip.max_message_size,
          idleTimeoutMs: sip.tcp.idle_timeout,
          messageTimeoutMs: sip.tcp.message_timeout,
          maxConnections: sip.tcp.max_connections,
          maxConnectionsPerSource: sip.tcp.max_connections_per_source,
        },
        ingress: ingressOptions(config),
        logLevel,
      });
      target = { host: engine.control!.address, port: engine.control!.port, secret };
      logger.info({ sip: engine.listeners, control: `${host}:${engine.control!.port}` }, 'SIP engine started');
    }
    const blockSource = engine === undefined ? undefined : engine.blockSource.bind(engine);
    media = await startMedia(config, logger);
    usePlainEnvironment();
    app = new B2buaApp({
      config,
      router: compileRouter(config),
      logger,
      now,
      media,
      ...(cdr === undefined ? {} : { cdr }),
      ...(blockSource === undefined ? {} : { blockSource }),
    });
    await app.connect(target);
    admin = await startAdminServer({ listen: config.admin.listen, token: config.admin.token, model: app.acd?.admin ?? NO_ACD_MODEL, logger });
    logger.info('switchboard started');
    await untilSignal();
    logger.info({ calls: app.activeCalls }, 'stopping');
    // Calls in progress are ended with BYE and get their CDRs before the file closes.
    app.hangupAll();
    await new Promise((r) => setTimeout(r, 200));
    await admin.close();
    await app.shutdown();
    await media.stop();
    await cdr?.close();
    await engine?.stop();
    exitSoon(EXIT_OK);
    return EXIT_OK;
  } catch (err) {
    await admin?.close();
    app?.disconnect();
    await media?.stop();
    await cdr?.close();
    await engine?.stop();
    if (isSwitchboardError(err)) {
      logger.error({ code: err.code }, err.message);
      return EXIT_INVALID;
    }
    throw err;
  }
}

/** rtpengine per `media.rtpengine`: managed (started and supervised here), external, or off. */
async function startMedia(config: Config, logger: Logger): Promise<MediaService> {
  const r = config.media.rtpengine;
  const media = await MediaService.start({
    mode: r.mode,
    ng: r.ng,
    mediaDir: config.media.files,
    interfaces: r.interfaces,
    playbackThreads: r.playback_threads,
    ...(r.dtmf_listen === undefined ? {} : { dtmfListen: parseNgAddress(r.dtmf_listen) }),
    portMin: r.port_min,
    portMax: r.port_max,
    mediaTimeoutSec: Math.ceil(r.timeout / 1000),
    ...(r.mode === 'off' ? {} : { recordingDir: resolve(config.media.recordings) }),
    logger,
  });
  if (r.mode === 'off') logger.warn('media.rtpengine.mode is off: calls are not anchored; voicemail, IVR and recording are unavailable');
  else logger.info({ mode: r.mode, ng: r.ng, available: media.available }, 'media started');
  return media;
}

/**
 * A stopped Switchboard must end even if a library left a timer behind (drachtio-srf's
 * reconnect loop when the server went away first): exit once the loop has had 2 s to
 * drain on its own.
 */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 2000).unref();
}

function splitHostPort(text: string): [string, number] {
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon).replace(/^\[|\]$/g, '');
  return [host, Number(text.slice(colon + 1))];
}
