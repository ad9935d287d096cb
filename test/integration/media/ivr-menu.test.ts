/**
 * The IVR menu machine wired as docs/media.md describes, against a real rtpengine:
 * prompts through playback (their end is promptDone), the caller's RFC 4733 digits
 * through --dtmf-log-dest into digit(), and the commands carried out.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IvrMenu, type IvrCommand } from '../../../src/ivr/ivr-menu.js';
import { DtmfEvents } from '../../../src/media/dtmf-events.js';
import { MediaClient } from '../../../src/media/media-client.js';
import { MediaSessions, type MediaSession } from '../../../src/media/media-session.js';
import { pcmuToLinear, zeroCrossingHz } from '../../helpers/rtp/g711.js';
import { pidAlive, startManagedRtpengine, type ManagedRtpengine } from '../../helpers/rtp/managed-rtpengine.js';
import { audioPortOf, PCMU, RtpEndpoint } from '../../helpers/rtp/rtp-endpoint.js';

let dir: string;
let dtmf: DtmfEvents;
let rtpengine: ManagedRtpengine;
let pid: number;
let media: MediaClient;
let sessions: MediaSessions;
const endpoints: RtpEndpoint[] = [];
let seq = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-ivr-'));
  // The menu prompt is a 600 Hz tone, the invalid prompt a 1200 Hz one, so the caller can tell them apart.
  for (const [name, hz] of [['menu.wav', 600], ['invalid.wav', 1200]] as const) {
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', join(dir, name), 'synth', '0.4', 'sine', String(hz), 'vol', '0.5']);
  }
  dtmf = await DtmfEvents.listen({ host: '127.0.0.1', port: 0 });
  rtpengine = await startManagedRtpengine({ dtmfLogDest: dtmf.address });
  pid = rtpengine.process.pid!;
  media = new MediaClient({ ng: rtpengine.ng });
  expect(await media.start()).toBe('up');
  sessions = new MediaSessions(media, { dtmf, resolveFile: (f) => join(dir, f) });
});

afterEach(() => {
  for (const ep of endpoints.splice(0)) ep.close();
});

afterAll(async () => {
  await sessions?.closeAll();
  sessions?.dispose();
  media?.close();
  dtmf?.close();
  await rtpengine?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (pid !== undefined) expect(pidAlive(pid)).toBe(false);
});

/** Carries out the machine's commands on a media session; resolves with the final command. */
function runMenu(menu: IvrMenu, session: MediaSession, callerTag: string, played: string[][]): Promise<IvrCommand> {
  return new Promise((resolve, reject) => {
    const playback = session.playbackTo(callerTag);
    let timer: NodeJS.Timeout | undefined;
    const apply = (commands: readonly IvrCommand[]): void => {
      for (const c of commands) {
        if (c.kind === 'play') {
          played.push([...c.files]);
          playback.sequence(c.files).then((outcome) => {
            if (outcome === 'done') apply(menu.promptDone(Date.now()));
          }, reject);
        } else if (c.kind === 'stop-prompt') {
          playback.stop().catch(reject);
        } else {
          clearTimeout(timer);
          resolve(c);
          return;
        }
      }
      clearTimeout(timer);
      const due = menu.deadline;
      if (due !== undefined) timer = setTimeout(() => apply(menu.tick(Date.now())), Math.max(0, due - Date.now()));
    };
    session.onDigit((d) => {
      if (d.fromTag === callerTag) apply(menu.digit(d.digit, Date.now()));
    });
    apply(menu.start(Date.now()));
  });
}

function heardHz(ep: RtpEndpoint, frames: number): number {
  const samples = ep.received.filter((p) => p.payloadType === PCMU).slice(-frames).flatMap((p) => [...p.payload].map(pcmuToLinear));
  return zeroCrossingHz(samples);
}

async function answeredCaller(): Promise<{ session: MediaSession; caller: RtpEndpoint }> {
  const caller = await RtpEndpoint.open();
  endpoints.push(caller);
  const session = sessions.open(`ivr-${process.pid}-${++seq}@127.0.0.1`, 'caller');
  caller.setRemote(audioPortOf(await session.answerLocally(caller.sdp(), { localTag: 'switchboard' })));
  await caller.sendSilence(2);
  caller.resetReceived();
  return { session, caller };
}

describe('IVR menu over rtpengine', () => {
  it('plays the prompt, takes an invalid key, plays the invalid prompt, then chooses the valid key', async () => {
    const { session, caller } = await answeredCaller();
    const menu = new IvrMenu({ prompt: 'menu.wav', invalidPrompt: 'invalid.wav', timeoutMs: 20_000, retries: 2, options: ['1', '2'] });
    const played: string[][] = [];
    const result = runMenu(menu, session, 'caller', played);
    // The caller hears the 600 Hz menu prompt.
    await caller.waitFor((s) => s.audible >= 15, 3000);
    expect(heardHz(caller, 10)).toBeGreaterThan(550);
    expect(heardHz(caller, 10)).toBeLessThan(650);
    await caller.sendDigit('9', { durationMs: 60 });
    await caller.waitFor(() => played.length === 2, 3000);
    caller.resetReceived();
    // Then the 1200 Hz invalid prompt (a loaded rtpengine may finish a few frames of the
    // menu prompt first: wait for the new tone rather than for a packet count).
    const invalidTone = (): boolean => heardHz(caller, 8) > 1100 && heardHz(caller, 8) < 1300;
    await caller.waitFor((s) => s.audible >= 12 && invalidTone(), 3000);
    expect(heardHz(caller, 8)).toBeGreaterThan(1100);
    expect(heardHz(caller, 8)).toBeLessThan(1300);
    await caller.sendDigit('2', { durationMs: 60 });
    expect(await result).toEqual({ kind: 'choose', option: '2' });
    expect(played).toEqual([['menu.wav'], ['invalid.wav', 'menu.wav']]);
    expect(menu.failedAttempts).toBe(1);
    await session.close();
    expect(await media.list()).not.toContain(session.callId);
  });
});
