/**
 * The `voicemail` step on a real call: the caller is answered into a VoicemailRecorder
 * (rtpengine relays the caller's audio to a socket of ours), hears the box's greeting and
 * a beep, and what they say is written to `<media.voicemail>/<box>/msg-….wav` with a JSON
 * sidecar. The recording ends on hang-up, silence or the maximum length; a message
 * shorter than the box's minimum is discarded.
 *
 * | situation                          | step result                                       |
 * |------------------------------------|---------------------------------------------------|
 * | message saved or discarded         | done (Switchboard hangs up if the caller has not) |
 * | caller hung up before the beep     | done, nothing recorded                            |
 * | box full (max_messages)            | "goodbye" played, failed: `continue_on: failure`  |
 * | rtpengine down                     | 503 to a caller not yet answered (CallFlow)       |
 *
 * @example
 *   handlers: { voicemail: voicemailStep({ directory: config.media.voicemail, logger }) }
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { answerIntoRecorder, GREETINGS, PROMPTS, VoicemailRecorder, type VoicemailOutcome } from '../../media/index.js';
import type { Action } from '../../routing/index.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { LOCAL_MEDIA_TAG, type CallFlow, type StepHandler, type StepResult } from '../call/call-flow.js';

export interface VoicemailStepOptions {
  /** media.voicemail: each box's messages go to a subdirectory named after it. */
  readonly directory: string;
  /** Where the recorder's RTP socket listens (rtpengine sends the caller's audio there). Default 127.0.0.1. */
  readonly bindAddress?: string;
  readonly logger?: Logger;
}

export function voicemailStep(options: VoicemailStepOptions): StepHandler {
  const logger = (options.logger ?? silentLogger).child({ module: 'voicemail' });
  return async (action: Action, call: CallFlow): Promise<StepResult> => {
    if (action.kind !== 'voicemail') return { kind: 'failed', step: { outcome: 'failure' } };
    const box = action.settings;
    const directory = join(options.directory, action.box);
    if ((await messageCount(directory)) >= box.max_messages) {
      logger.warn({ box: action.box, max: box.max_messages }, 'voicemail box full');
      if (call.answered) await call.mediaFor().playbackTo(call.callerTag).sequence([PROMPTS.goodbye]).catch(() => 'stopped');
      return { kind: 'failed', step: { outcome: 'failure', reason: 'mailbox full' } };
    }
    const recorder = await VoicemailRecorder.open({
      mailbox: action.box,
      directory,
      caller: call.report.from,
      callee: call.report.to,
      maxLengthMs: box.max_length,
      minLengthMs: box.min_length,
      silenceMs: box.silence,
      ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
      logger,
    });
    try {
      const session = await call.answerCaller((s, sdp) => answerIntoRecorder(s, sdp, recorder, { localTag: LOCAL_MEDIA_TAG, options: call.callerMediaOptions }));
      const greeting = session.playbackTo(call.callerTag);
      const stopGreeting = call.caller.onCancel(() => greeting.cancel());
      const heard = await greeting.sequence([box.greeting ?? GREETINGS.standard, PROMPTS.beep]).catch((err: unknown) => {
        logger.warn({ err, box: action.box }, 'voicemail greeting could not be played; recording anyway');
        return 'done' as const;
      });
      stopGreeting();
      if (heard === 'stopped' || call.caller.cancelled) return done(await recorder.stop());
      await recorder.start();
      const offHangUp = call.caller.onCancel(() => void recorder.stop());
      const outcome = await recorder.finished;
      offHangUp();
      if (outcome.kind === 'saved') logger.info({ box: action.box, file: outcome.message.file, durationMs: outcome.message.durationMs, end: outcome.end }, 'voicemail saved');
      return done(outcome);
    } finally {
      await recorder.stop();
    }
  };
}

function done(outcome: VoicemailOutcome): StepResult {
  return outcome.kind === 'saved'
    ? { kind: 'done', status: 200, reason: 'voicemail saved' }
    : { kind: 'done', status: 200, reason: `voicemail discarded (${outcome.reason})` };
}

/** Messages in a box: their sidecars (a message exists once its sidecar does). */
async function messageCount(directory: string): Promise<number> {
  try {
    return (await readdir(directory)).filter((n) => n.endsWith('.json')).length;
  } catch {
    return 0;
  }
}
