import { B2buaApp, type B2buaOptions } from '../../src/app/b2bua.js';
import { parseConfig } from '../../src/config/index.js';
import type { IngressFilterOptions } from '../../src/engine/core/ingress-filter.js';
import { compileRouter } from '../../src/routing/index.js';
import { startTestEngine, type TestEngine } from './engine.js';
import { waitFor } from './sip-peer.js';

/**
 * The embedded engine plus the B2BUA application, in the test process, with every call
 * routed to one loopback target (a SIPp UAS). The application is the production one,
 * talking to the engine over the drachtio control port.
 *
 * @example
 *   const sb = await startSwitchboard();
 *   await sb.routeTo('sip:service@127.0.0.1:5099');
 *   // SIPp UAC → 127.0.0.1:sb.engine.udpPort
 *   await sb.stop();
 */
export interface TestSwitchboard {
  readonly engine: TestEngine;
  /** The application of the last configure() / routeTo(). */
  readonly app: B2buaApp | undefined;
  /** Reconnects the application with a configuration that sends every call to `uri`. */
  routeTo(uri: string): Promise<B2buaApp>;
  /** Reconnects the application with this YAML configuration and options (clock, CDR sink, contacts). */
  configure(yaml: string, options?: Omit<B2buaOptions, 'config' | 'router'>): Promise<B2buaApp>;
  stop(): Promise<void>;
}

export function testConfigYaml(targetUri: string): string {
  return `
trunks:
  lab:
    inbound: { sources: [127.0.0.0/8] }
routes:
  - name: everything
    match: { to: { pattern: ".*" } }
    then: { ring: { targets: ["${targetUri}"], timeout: 30s } }
`;
}

export async function startSwitchboard(opts: { ingress?: IngressFilterOptions } = {}): Promise<TestSwitchboard> {
  const engine = await startTestEngine({ control: true, ...opts });
  let app: B2buaApp | undefined;
  const sb: TestSwitchboard = {
    engine,
    get app() {
      return app;
    },
    routeTo(uri: string) {
      return sb.configure(testConfigYaml(uri));
    },
    async configure(yaml, options = {}) {
      app?.disconnect();
      const config = parseConfig(yaml, 'test.yaml');
      app = new B2buaApp({ ...options, config, router: compileRouter(config) });
      await app.connect({ host: '127.0.0.1', port: engine.controlPort, secret: engine.secret });
      // The previous application's connection must be gone, or it could be offered calls.
      if (!(await waitFor(() => engine.stats().applications === 1, 5000))) throw new Error('the previous application did not disconnect');
      return app;
    },
    async stop() {
      app?.disconnect();
      await engine.stop();
    },
  };
  return sb;
}
