/**
 * The `queue` step on a real call: the caller joins the ACD (src/app/queue/acd-service.ts)
 * and waits — answered with music and announcements when the queue has `music`, else
 * unanswered with 180 Ringing — until the scheduler offers the call to an agent, the
 * call overflows, or the caller hangs up.
 *
 * | event                         | what happens                                                  | ACD call          |
 * |-------------------------------|---------------------------------------------------------------|-------------------|
 * | queue full on arrival         | `on_full` runs                                                | (not queued)      |
 * | offer [agents]                | the agents' phones ring for `offer.ring_timeout`              |                   |
 * | an agent answers              | the caller is bridged to that agent (music stops)             | offerAnswered     |
 * | the call ends                 | the agent goes to wrap-up                                     | callEnded         |
 * | no agent answers              | after `offer.retry_delay`, the call is back at its place      | offerMissed       |
 * | `offer.retries` misses        | `on_timeout` runs                                             | overflow          |
 * | max_wait reached              | `on_timeout` runs                                             | (scheduler: gone) |
 * | caller hangs up (any time)    | ringing agents are cancelled; counted as abandoned            | abandon           |
 * | callback key (after the offer)| "we will call you back", hang-up; the place is kept and      | (stays queued)    |
 * |                               | Callbacks calls agent then caller when it is reached          |                   |
 *
 * @example
 *   handlers: { queue: queueStep(acd, { logger }) }
 */
import type { Action } from '../../routing/index.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import type { CallFlow, StepHandler, StepResult } from '../call/call-flow.js';
import type { AcdService } from './acd-service.js';
import type { Callbacks } from './callbacks.js';
import { HoldAudio } from './hold-audio.js';
import { PROMPTS } from '../../media/index.js';

/** A miss that came this fast (an unreachable or busy agent) waits at least this long before the call is offered again. */
const MIN_RETRY_DELAY_MS = 250;

type Waiting =
  | { readonly kind: 'offer'; readonly agentIds: readonly string[] }
  | { readonly kind: 'overflow' }
  | { readonly kind: 'hung-up' }
  | { readonly kind: 'callback' };

/** Events for one waiting call, taken one at a time. */
class Inbox {
  private readonly items: Waiting[] = [];
  private wake: (() => void) | undefined;

  push(item: Waiting): void {
    this.items.push(item);
    this.wake?.();
    this.wake = undefined;
  }

  async next(): Promise<Waiting> {
    while (this.items.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.items.shift()!;
  }
}

export function queueStep(acd: AcdService, options: { readonly logger?: Logger; readonly callbacks?: Callbacks } = {}): StepHandler {
  const logger = (options.logger ?? silentLogger).child({ module: 'queue' });
  return async (action: Action, call: CallFlow): Promise<StepResult> => {
    if (action.kind !== 'queue') return { kind: 'failed', step: { outcome: 'failure' } };
    const queue = action.settings;
    const callId = call.report.callId;
    let hold: HoldAudio | undefined;
    if (queue.music !== undefined) {
      const session = await call.answerLocally();
      hold = new HoldAudio(session.playbackTo(call.callerTag), queue, () => acd.position(callId), logger);
    } else {
      call.ringing();
    }
    const inbox = new Inbox();
    const joined = acd.join(callId, action.queue, action.priority, {
      offer: (agentIds) => inbox.push({ kind: 'offer', agentIds }),
      overflow: () => inbox.push({ kind: 'overflow' }),
    });
    if (!joined.ok) {
      logger.error({ callId, queue: action.queue, err: joined.message }, 'call could not join its queue');
      return { kind: 'failed', step: { outcome: 'failure' } };
    }
    if (joined.status === 'overflow') return { kind: 'continue', chain: action.onFull };
    hold?.start();
    const enteredAt = performance.now();
    const offHangUp = call.caller.onCancel(() => inbox.push({ kind: 'hung-up' }));
    const callbackKey = queue.callback?.digit;
    const offDigits =
      hold === undefined || callbackKey === undefined || options.callbacks === undefined
        ? undefined
        : call.onDigit((d) => {
            if (d === callbackKey && hold.callbackOffered) inbox.push({ kind: 'callback' });
          });
    let misses = 0;
    let handedOver = false;
    try {
      for (;;) {
        const event = await inbox.next();
        if (event.kind === 'hung-up') {
          acd.abandon(callId);
          return { kind: 'failed', step: { outcome: 'cancelled' } };
        }
        if (event.kind === 'overflow') return { kind: 'continue', chain: action.onTimeout };
        if (event.kind === 'callback') {
          if (handedOver) continue;
          hold?.stop();
          handedOver = options.callbacks!.take({
            callId,
            queueId: action.queue,
            priority: action.priority,
            number: call.report.from,
            ...(call.report.trunk === undefined ? {} : { trunk: call.report.trunk }),
            ...(call.report.trunk === undefined && call.report.from in call.config.users ? { user: call.report.from } : {}),
            waitedMs: Math.round(performance.now() - enteredAt),
          });
          if (!handedOver) continue;
          call.report.path.push('callback');
          await call.mediaFor().playbackTo(call.callerTag).sequence([PROMPTS.callbackConfirmed]).catch(() => 'stopped');
          return { kind: 'done', status: 200, reason: 'callback requested' };
        }
        const started = performance.now();
        const agents = event.agentIds.map((id) => ({ id, user: acd.userOf(id) }));
        const r = await call.ringAgents(agents, queue.offer.ring_timeout);
        if (r.kind === 'answered') {
          hold?.stop();
          const agentId = r.winner.target;
          acd.offerAnswered(callId, agentId);
          call.report.path.push(`agent:${agentId}`);
          return { kind: 'bridge', result: r, record: queue.record, onEnded: () => acd.callEnded(callId) };
        }
        if (call.caller.cancelled) {
          acd.abandon(callId);
          return { kind: 'failed', step: { outcome: 'cancelled' } };
        }
        const delay = Math.max(queue.offer.retry_delay, performance.now() - started < MIN_RETRY_DELAY_MS ? MIN_RETRY_DELAY_MS : 0);
        if (delay > 0 && !(await pause(delay, call))) {
          acd.abandon(callId);
          return { kind: 'failed', step: { outcome: 'cancelled' } };
        }
        for (const id of event.agentIds) acd.offerMissed(callId, id);
        const retries = queue.offer.retries;
        if (retries !== undefined && ++misses > retries && acd.overflow(callId).ok) return { kind: 'continue', chain: action.onTimeout };
      }
    } finally {
      offHangUp();
      offDigits?.();
      hold?.stop();
      if (!handedOver) acd.forget(callId);
    }
  };
}

/** Waits `ms`; false when the caller hung up meanwhile. */
function pause(ms: number, call: CallFlow): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(true);
    }, ms);
    const off = call.caller.onCancel(() => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
