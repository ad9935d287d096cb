/**
 * The `ivr` step on a real call: Switchboard answers the caller, plays the menu prompt
 * and feeds the IvrMenu machine (src/ivr) with the caller's keys — RFC 4733 events
 * reported by rtpengine, or SIP INFO — and the timers it asks for. The chosen key's
 * chain, or the menu's on_failure chain, then runs on the same answered call.
 *
 * | machine command | what happens here                                              |
 * |-----------------|----------------------------------------------------------------|
 * | play [files]    | the files in sequence to the caller; their end is promptDone() |
 * | stop-prompt     | the prompt stops (barge-in)                                    |
 * | choose key      | continue with `ivr.<menu>.options.<key>`                       |
 * | fail            | continue with `ivr.<menu>.on_failure`                          |
 * | (caller hangs up) | the step ends as cancelled                                   |
 *
 * @example
 *   handlers: { ivr: ivrStep({ logger }) }
 */
import { IvrMenu, ivrMenuSpec, type IvrCommand } from '../../ivr/index.js';
import type { Action } from '../../routing/index.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import type { CallFlow, StepHandler, StepResult } from '../call/call-flow.js';

export interface IvrStepOptions {
  readonly logger?: Logger;
  /** Monotonic clock for the menu's timeouts. Default performance.now. */
  readonly now?: () => number;
}

export function ivrStep(options: IvrStepOptions = {}): StepHandler {
  const logger = (options.logger ?? silentLogger).child({ module: 'ivr' });
  const now = options.now ?? (() => performance.now());
  return async (action: Action, call: CallFlow): Promise<StepResult> => {
    if (action.kind !== 'ivr') return { kind: 'failed', step: { outcome: 'failure' } };
    const session = await call.answerLocally();
    const menu = new IvrMenu(ivrMenuSpec(action.settings));
    const playback = session.playbackTo(call.callerTag);
    const end = await new Promise<IvrCommand | 'hung-up'>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (result: IvrCommand | 'hung-up'): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        offDigits();
        offCancel();
        resolve(result);
      };
      const apply = (commands: readonly IvrCommand[]): void => {
        if (settled) return;
        for (const c of commands) {
          if (c.kind === 'play') {
            playback.sequence(c.files).then(
              (outcome) => {
                if (outcome === 'done') apply(menu.promptDone(now()));
              },
              (err: unknown) => {
                // A prompt that cannot play counts as played: the caller may still know the menu.
                logger.warn({ err, menu: action.menu }, 'IVR prompt could not be played');
                apply(menu.promptDone(now()));
              },
            );
          } else if (c.kind === 'stop-prompt') {
            playback.stop().catch(() => undefined);
          } else {
            return finish(c);
          }
        }
        clearTimeout(timer);
        const due = menu.deadline;
        if (due !== undefined) timer = setTimeout(() => apply(menu.tick(now())), Math.max(0, due - now()));
      };
      const offDigits = call.onDigit((digit) => apply(menu.digit(digit, now())));
      const offCancel = call.caller.onCancel(() => finish('hung-up'));
      apply(menu.start(now()));
    });
    if (end === 'hung-up') return { kind: 'failed', step: { outcome: 'cancelled' } };
    await playback.stop().catch(() => undefined);
    if (end.kind === 'choose') {
      call.report.path.push(`ivr:${action.menu}:${end.option}`);
      return { kind: 'continue', chain: action.options[end.option]! };
    }
    call.report.path.push(`ivr:${action.menu}:${end.kind === 'fail' ? end.reason : 'failed'}`);
    return { kind: 'continue', chain: action.onFailure };
  };
}
