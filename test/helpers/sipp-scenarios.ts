/**
 * The SIPp scenarios in test/e2e/sipp/, with the default value of every key
 * each one needs (SIPp refuses to load a scenario that uses a -key it was
 * not given), grouped into the call flows of the end-to-end tests.
 *
 * Each flow names the caller (uac) and the callee (uas) to run with
 * Switchboard in between. Where the callee's side of the test is played by
 * Switchboard itself (the engine sends the BYE after Timer H or at session
 * expiry), `selfTestUas` is the SIPp stand-in used when the kit tests itself
 * with SIPp talking straight to SIPp.
 *
 * @example
 *   const uas = await startSipp({ scenario: SIPP_FLOWS.cancel.uas, transport: 'udp', calls: 1 });
 *   // route Switchboard to 127.0.0.1:uas.localPort, then:
 *   const uac = await startSipp({ scenario: SIPP_FLOWS.cancel.uac, target: '127.0.0.1:5060', transport: 'udp', calls: 1 });
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIPP_SCENARIO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../e2e/sipp');

export type SippRole = 'uac' | 'uas';

export interface SippScenario {
  /** Scenario name, the XML file's name without `.xml`. */
  readonly name: string;
  /** Absolute path of the XML file. */
  readonly file: string;
  readonly role: SippRole;
  /** Every key the scenario uses, with its default (passed as -key NAME VALUE). */
  readonly keys: Readonly<Record<string, string>>;
}

export interface SippFlow {
  readonly uac: SippScenario;
  readonly uas: SippScenario;
  /** Stand-in for Switchboard's part when SIPp talks straight to SIPp. */
  readonly selfTestUas?: SippScenario;
}

/** A call that lingers one second after its last message absorbs a retransmission at T1 (see the README). */
const LINGER = { linger_ms: '1000' } as const;

function scenario(name: string, role: SippRole, keys: Record<string, string>): SippScenario {
  return Object.freeze({ name, file: resolve(SIPP_SCENARIO_DIR, `${name}.xml`), role, keys: Object.freeze({ ...keys, ...LINGER }) });
}

/** Every scenario file, by name. */
export const SIPP_SCENARIOS = Object.freeze({
  'basic-uac': scenario('basic-uac', 'uac', { caller: 'sipp', hold_ms: '0' }),
  'basic-uas': scenario('basic-uas', 'uas', { ring_ms: '0' }),
  'callee-bye-uac': scenario('callee-bye-uac', 'uac', { caller: 'sipp' }),
  'callee-bye-uas': scenario('callee-bye-uas', 'uas', { ring_ms: '100', hold_ms: '200' }),
  'cancel-uac': scenario('cancel-uac', 'uac', { caller: 'sipp', cancel_after_ms: '200' }),
  'cancel-uas': scenario('cancel-uas', 'uas', {}),
  'busy-uac': scenario('busy-uac', 'uac', { caller: 'sipp' }),
  'busy-uas': scenario('busy-uas', 'uas', {}),
  'unavailable-uac': scenario('unavailable-uac', 'uac', { caller: 'sipp' }),
  'unavailable-uas': scenario('unavailable-uas', 'uas', { retry_after: '30' }),
  'hold-uac': scenario('hold-uac', 'uac', { caller: 'sipp', hold_ms: '100' }),
  'hold-uas': scenario('hold-uas', 'uas', { ring_ms: '100' }),
  'prack-uac': scenario('prack-uac', 'uac', { caller: 'sipp', hold_ms: '100' }),
  'prack-uas': scenario('prack-uas', 'uas', { ring_ms: '100' }),
  'lost-ack-uac': scenario('lost-ack-uac', 'uac', { caller: 'sipp' }),
  'lost-ack-peer-uas': scenario('lost-ack-peer-uas', 'uas', { bye_after_ms: '500' }),
  'session-timer-uac': scenario('session-timer-uac', 'uac', { caller: 'sipp', session_expires: '90' }),
  'session-timer-uas': scenario('session-timer-uas', 'uas', { ring_ms: '100' }),
  'session-timer-peer-uas': scenario('session-timer-peer-uas', 'uas', { bye_after_ms: '500' }),
  'register-uac': scenario('register-uac', 'uac', { user: 'alice', expires: '60' }),
  'register-refused-uac': scenario('register-refused-uac', 'uac', { user: 'alice', expires: '60' }),
  'session-refresh-uac': scenario('session-refresh-uac', 'uac', { caller: 'sipp', session_expires: '90', refresh_after_ms: '200' }),
});

const s = SIPP_SCENARIOS;

/** The end-to-end call flows of issue 3, section 5. */
export const SIPP_FLOWS = Object.freeze({
  /** INVITE/180/200/ACK/BYE, caller hangs up; also the load flow. */
  basic: { uac: s['basic-uac'], uas: s['basic-uas'] },
  /** The callee sends the BYE. */
  calleeHangsUp: { uac: s['callee-bye-uac'], uas: s['callee-bye-uas'] },
  /** CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE. */
  cancel: { uac: s['cancel-uac'], uas: s['cancel-uas'] },
  /** 486 Busy Here relayed to the caller. */
  busy: { uac: s['busy-uac'], uas: s['busy-uas'] },
  /** 503 Service Unavailable with Retry-After relayed to the caller. */
  unavailable: { uac: s['unavailable-uac'], uas: s['unavailable-uas'] },
  /** re-INVITE a=sendonly / a=recvonly, then back to sendrecv. */
  hold: { uac: s['hold-uac'], uas: s['hold-uas'] },
  /** Reliable 183 (100rel) acknowledged with PRACK. */
  prack: { uac: s['prack-uac'], uas: s['prack-uas'] },
  /** The caller never ACKs; the engine sends BYE to both legs after Timer H. */
  lostAck: { uac: s['lost-ack-uac'], uas: s['basic-uas'], selfTestUas: s['lost-ack-peer-uas'] },
  /** The caller never refreshes its session timer; the engine sends BYE at expiry. */
  sessionTimer: { uac: s['session-timer-uac'], uas: s['session-timer-uas'], selfTestUas: s['session-timer-peer-uas'] },
  /** The caller refreshes its session timer with UPDATE and re-INVITE. */
  sessionRefresh: { uac: s['session-refresh-uac'], uas: s['session-timer-uas'] },
} satisfies Record<string, SippFlow>);
