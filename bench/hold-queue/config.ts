/**
 * The Switchboard config of the hold-queue bench: number 1000 goes to queue `q`, which
 * answers with hold music and has one agent (paused by the bench, so callers keep
 * waiting); every other number rings the SIPp UAS of the measured step.
 *
 * | route | match          | then                                   |
 * |-------|----------------|----------------------------------------|
 * | hold  | to "1000"      | queue q (music, no announcements)      |
 * | all   | anything else  | ring sip:service@127.0.0.1:<ringPort>  |
 *
 * Announcements are off so that every waiting caller hears the same thing for the whole
 * run (music only); `max_size` is left unlimited and `max_wait` unset, so no caller
 * overflows while the bench runs.
 *
 * @example
 *   await sb.configure(holdQueueYaml({ ringPort: 5070, agentPort: 5999, music: HOLD_MUSIC }));
 *   sb.acd!.agents.setState(HOLD_AGENT, { state: 'paused', reason: 'bench' });
 */

/** The number waiting callers dial (SIPp -s). */
export const HOLD_NUMBER = '1000';
export const HOLD_QUEUE = 'q';
export const HOLD_AGENT = 'a1';
/** Relative to media.files (config/media); `make media` generates it. */
export const HOLD_MUSIC = 'music/hold.wav';

export interface HoldQueueConfig {
  /** Port of the SIPp UAS that answers every other number. */
  readonly ringPort: number;
  /** Static contact of the agent; never rung while the agent is paused. */
  readonly agentPort: number;
  readonly music: string;
}

export function holdQueueYaml(c: HoldQueueConfig): string {
  return [
    'trunks:',
    '  bench: { inbound: { sources: [127.0.0.0/8] } }',
    'users:',
    `  ${HOLD_AGENT}: { contacts: ["sip:${HOLD_AGENT}@127.0.0.1:${c.agentPort}"] }`,
    'agents:',
    `  ${HOLD_AGENT}: {}`,
    'queues:',
    `  ${HOLD_QUEUE}:`,
    `    members: [${HOLD_AGENT}]`,
    `    music: ${JSON.stringify(c.music)}`,
    '    announcements: { position: false, estimated_wait: false }',
    'routes:',
    '  - name: hold',
    `    match: { to: "${HOLD_NUMBER}" }`,
    `    then: { queue: ${HOLD_QUEUE} }`,
    '  - name: all',
    '    match: { to: { pattern: ".*" } }',
    `    then: { ring: "sip:service@127.0.0.1:${c.ringPort}" }`,
    '',
  ].join('\n');
}
