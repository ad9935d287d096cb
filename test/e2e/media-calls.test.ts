/**
 * Calls with media through a real rtpengine (managed by MediaService, as `switchboard
 * start` runs it), real RTP from test user agents, and the production application on the
 * embedded engine: anchoring, IVR by RFC 4733 and by SIP INFO, voicemail to WAV, call
 * recording, and rtpengine going away and coming back. Every test checks with rtpengine's
 * own `list` that the call's session is gone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CallReport } from '../../src/app/call/call-flow.js';
import { MediaService } from '../../src/media/index.js';
import { RtpengineProcess } from '../../src/media/rtpengine-process.js';
import { MediaCaller } from '../helpers/media-caller.js';
import { pcmuToLinear, zeroCrossingHz } from '../helpers/rtp/g711.js';
import { rtpPortRange } from '../helpers/rtp/managed-rtpengine.js';
import { audioPortOf, PCMU, RtpEndpoint } from '../helpers/rtp/rtp-endpoint.js';
import { readWav } from '../helpers/rtp/wav.js';
import { ScriptedUas } from '../helpers/scripted-uas.js';
import { waitFor } from '../helpers/sip-peer.js';
import { freeLoopbackPort } from '../helpers/sipp-ports.js';
import { startSwitchboard, type TestSwitchboard } from '../helpers/switchboard.js';

let dir: string;
let media: MediaService;
let sb: TestSwitchboard;
const reports: CallReport[] = [];
const closers: Array<() => void | Promise<void>> = [];

/** Tones the caller can tell apart: prompt 600 Hz, greeting 500 Hz, beep 1500 Hz. */
function tone(file: string, hz: number, seconds: number): void {
  mkdirSync(join(dir, 'media', file, '..'), { recursive: true });
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', join(dir, 'media', file), 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5']);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-media-calls-'));
  tone('menu.wav', 600, 0.6);
  tone('greeting.wav', 500, 0.4);
  tone('prompts/beep.wav', 1500, 0.2);
  tone('prompts/goodbye.wav', 400, 0.2);
  media = await MediaService.start({
    mode: 'managed',
    ng: { host: '127.0.0.1', port: await freeLoopbackPort() },
    interfaces: ['127.0.0.1'],
    ...rtpPortRange(),
    mediaDir: join(dir, 'media'),
    recordingDir: join(dir, 'recordings'),
  });
  sb = await startSwitchboard();
}, 30_000);

afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

afterAll(async () => {
  await sb?.stop();
  const pid = media?.process?.pid;
  await media?.stop();
  if (pid !== undefined) expect(() => process.kill(pid, 0)).toThrow();
  rmSync(dir, { recursive: true, force: true });
});

async function callee(): Promise<{ uas: ScriptedUas; rtp: RtpEndpoint }> {
  const uas = await ScriptedUas.start({ kind: 'answer', afterMs: 50 });
  const rtp = await RtpEndpoint.open();
  uas.sdp = rtp.sdp();
  closers.push(() => uas.close(), () => rtp.close());
  return { uas, rtp };
}

async function caller(): Promise<MediaCaller> {
  const c = await MediaCaller.open();
  closers.push(() => c.close());
  return c;
}

/** Configures Switchboard with these routes (and extra sections) on the managed rtpengine. */
async function configure(yaml: string, service: MediaService = media): Promise<void> {
  reports.length = 0;
  await sb.configure(
    `trunks:\n  lab: { inbound: { sources: [127.0.0.0/8] } }\nmedia:\n  voicemail: ${join(dir, 'voicemail')}\n${yaml}`,
    { media: service, onCallEnd: (r) => reports.push(r) },
  );
}

function heardHz(ep: RtpEndpoint, frames: number): number {
  const samples = ep.received.filter((p) => p.payloadType === PCMU).slice(-frames).flatMap((p) => [...p.payload].map(pcmuToLinear));
  return zeroCrossingHz(samples);
}

async function noSessionFor(callId: string): Promise<void> {
  expect(await waitFor(() => reports.some((r) => r.callId === callId), 5000)).toBe(true);
  expect(await media.client!.list()).not.toContain(callId);
}

describe('anchored calls', () => {
  it('relays a bridged call through rtpengine: both SDPs point at it, audio flows both ways, the session ends with the call', async () => {
    const b = await callee();
    await configure(`routes:\n  - name: all\n    then: { ring: "sip:agent@127.0.0.1:${b.uas.port}" }\n`);
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    const offerToB = b.uas.invites()[0]!.body.toString();
    // The B leg is offered rtpengine's port, not the caller's; the caller gets rtpengine's too.
    expect(audioPortOf(offerToB)).not.toBe(a.rtp.port);
    expect(audioPortOf(a.finalResponse()!.body.toString())).not.toBe(b.rtp.port);
    b.rtp.setRemote(audioPortOf(offerToB));
    await Promise.all([a.rtp.sendTone({ hz: 440, packets: 25 }), b.rtp.sendTone({ hz: 880, packets: 25 })]);
    await b.rtp.waitFor((s) => s.audible >= 10, 3000);
    await a.rtp.waitFor((s) => s.audible >= 10, 3000);
    expect(heardHz(b.rtp, 8)).toBeGreaterThan(400);
    expect(heardHz(b.rtp, 8)).toBeLessThan(480);
    expect(heardHz(a.rtp, 8)).toBeGreaterThan(820);
    expect(heardHz(a.rtp, 8)).toBeLessThan(940);
    expect(await media.client!.list()).toContain(a.callId);
    expect(await a.bye()).toBe(200);
    await noSessionFor(a.callId);
    expect(reports.find((r) => r.callId === a.callId)).toMatchObject({ status: 200, hungUpBy: 'caller' });
  });

  it('applies the outbound trunk\'s media options: the gateway is offered PCMA only, and rtpengine transcodes the caller\'s PCMU', async () => {
    const gw = await callee();
    gw.uas.sdp = gw.rtp.sdp().replace(/RTP\/AVP 0 101/, 'RTP/AVP 8 101').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000');
    reports.length = 0;
    await sb.configure(
      `trunks:\n  lab: { inbound: { sources: [127.0.0.0/8] } }\n  carrier:\n    outbound: { gateways: ["sip:127.0.0.1:${gw.uas.port}"] }\n    media: { codecs: [PCMA], transcode: [PCMA] }\n` +
        `routes:\n  - name: out\n    then: { ring: { targets: [{ number: "+14155550199", trunk: carrier }] } }\n`,
      { media, onCallEnd: (r) => reports.push(r) },
    );
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    const offer = gw.uas.invites()[0]!.body.toString();
    expect(offer).toMatch(/^m=audio \d+ RTP\/AVP 8 /m);
    expect(offer).not.toMatch(/a=rtpmap:0 PCMU/);
    expect(a.finalResponse()!.body.toString()).toMatch(/^m=audio \d+ RTP\/AVP 0[ \r]/m);
    gw.rtp.setRemote(audioPortOf(offer));
    await a.rtp.sendTone({ hz: 440, packets: 25 });
    await gw.rtp.waitFor((st) => st.payloadTypes.has(8), 3000);
    expect(await a.bye()).toBe(200);
    await noSessionFor(a.callId);
  });

  it("passes a hold re-INVITE through rtpengine: the callee sees rtpengine's port with sendonly, the caller gets an answer", async () => {
    const b = await callee();
    await configure(`routes:\n  - name: all\n    then: { ring: "sip:agent@127.0.0.1:${b.uas.port}" }\n`);
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    const firstOffer = b.uas.invites()[0]!.body.toString();
    const answer = await a.reinvite(a.rtp.sdp(a.rtp.port + 1).replace('a=sendrecv', 'a=sendonly'));
    // rtpengine's answer: the same relay port the caller was given at first, not the callee's.
    expect(audioPortOf(answer)).toBe(audioPortOf(a.finalResponse()!.body.toString()));
    const reinvite = b.uas.requests.filter((r) => r.method === 'INVITE' && r.toTag !== undefined).at(-1)!;
    expect(audioPortOf(reinvite.body.toString())).toBe(audioPortOf(firstOffer));
    expect(reinvite.body.toString()).toMatch(/a=sendonly/);
    expect(await a.bye()).toBe(200);
    await noSessionFor(a.callId);
  });

  it('deletes the session of a call that fails (callee busy)', async () => {
    const uas = await ScriptedUas.start({ kind: 'reject', status: 486 });
    closers.push(() => uas.close());
    await configure(`routes:\n  - name: all\n    then: { ring: "sip:agent@127.0.0.1:${uas.port}" }\n`);
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(486);
    expect(uas.invites()[0]!.body.toString()).not.toContain(`m=audio ${a.rtp.port} `);
    await noSessionFor(a.callId);
  });
});

describe('IVR', () => {
  const ivrYaml = (calleePort: number): string => `ivr:
  main:
    prompt: menu.wav
    timeout: 10s
    options:
      "1": { ring: "sip:agent@127.0.0.1:${calleePort}" }
      "2": { reject: { status: 486 } }
routes:
  - name: menu
    then: { ivr: main }
`;

  it('plays the prompt; an RFC 4733 digit 1 picks the branch that rings and bridges the callee', async () => {
    const b = await callee();
    await configure(ivrYaml(b.uas.port));
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    await a.rtp.sendSilence(2); // rtpengine learns where the caller is
    await a.rtp.waitFor((s) => s.audible >= 15, 3000);
    expect(heardHz(a.rtp, 10)).toBeGreaterThan(550);
    expect(heardHz(a.rtp, 10)).toBeLessThan(650);
    expect(b.uas.invites()).toHaveLength(0);
    await a.rtp.sendDigit('1', { durationMs: 60 });
    expect(await waitFor(() => b.uas.invites().length === 1, 5000)).toBe(true);
    const offerToB = b.uas.invites()[0]!.body.toString();
    expect(await waitFor(() => b.uas.requests.some((r) => r.method === 'ACK'), 5000)).toBe(true);
    // Bridged: the callee's tone reaches the caller (the prompt has stopped).
    b.rtp.setRemote(audioPortOf(offerToB));
    a.rtp.resetReceived();
    await Promise.all([b.rtp.sendTone({ hz: 880, packets: 30 }), a.rtp.sendTone({ hz: 440, packets: 30 })]);
    await a.rtp.waitFor((s) => s.audible >= 10, 3000);
    expect(heardHz(a.rtp, 8)).toBeGreaterThan(820);
    expect(heardHz(a.rtp, 8)).toBeLessThan(940);
    await b.rtp.waitFor((s) => s.audible >= 10, 3000);
    expect(await a.bye()).toBe(200);
    await noSessionFor(a.callId);
    expect(reports.find((r) => r.callId === a.callId)!.path).toEqual(['ivr:main', 'ivr:main:1', 'ring']);
  });

  it('takes a SIP INFO digit too: 2 picks the reject branch, and the answered caller is hung up', async () => {
    await configure(ivrYaml(9));
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    expect(await a.info('2')).toBe(200);
    expect(await waitFor(() => a.hungUpByFarEnd, 5000)).toBe(true);
    await noSessionFor(a.callId);
    expect(reports.find((r) => r.callId === a.callId)).toMatchObject({ path: ['ivr:main', 'ivr:main:2', 'reject:486'], hungUpBy: 'system' });
  });
});

describe('voicemail', () => {
  const boxYaml = `voicemail:
  sales: { greeting: greeting.wav, min_length: 1s, silence: 3s }
routes:
  - name: vm
    then: { voicemail: sales }
`;

  it('plays the greeting and beep, then records what the caller says (a 1 kHz tone) to a WAV file with a sidecar', async () => {
    await configure(boxYaml);
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '2000')).toBe(200);
    await a.rtp.sendSilence(2);
    await a.rtp.waitFor((s) => s.audible >= 10, 3000);
    expect(heardHz(a.rtp, 8)).toBeGreaterThan(450);
    expect(heardHz(a.rtp, 8)).toBeLessThan(550);
    // Past greeting (0.4 s) and beep (0.2 s): then two seconds of 1 kHz.
    await a.rtp.waitFor(() => a.rtp.received.slice(-5).some((p) => p.payloadType === PCMU && heardHzOf(p.payload) > 1300), 3000);
    await new Promise((r) => setTimeout(r, 400));
    await a.rtp.sendTone({ hz: 1000, packets: 100 });
    expect(await a.bye()).toBe(200);
    await noSessionFor(a.callId);
    const box = join(dir, 'voicemail', 'sales');
    const sidecars = readdirSync(box).filter((n) => n.endsWith('.json'));
    expect(sidecars).toHaveLength(1);
    const message = JSON.parse(readFileSync(join(box, sidecars[0]!), 'utf8')) as { caller: string; callee: string; mailbox: string; durationMs: number; file: string };
    expect(message).toMatchObject({ caller: '+14155550100', callee: '2000', mailbox: 'sales' });
    expect(message.durationMs).toBeGreaterThan(1500);
    expect(message.durationMs).toBeLessThan(3000);
    const wav = readWav(readFileSync(join(box, message.file)));
    const middle = wav.samples.subarray(wav.samples.length / 4, (wav.samples.length * 3) / 4);
    expect(zeroCrossingHz(middle)).toBeGreaterThan(950);
    expect(zeroCrossingHz(middle)).toBeLessThan(1050);
    rmSync(box, { recursive: true, force: true });
  });

  it('discards a message shorter than min_length', async () => {
    await configure(boxYaml);
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '2000')).toBe(200);
    await a.rtp.sendSilence(2);
    await a.rtp.waitFor(() => a.rtp.received.slice(-5).some((p) => p.payloadType === PCMU && heardHzOf(p.payload) > 1300), 3000);
    await new Promise((r) => setTimeout(r, 400));
    await a.rtp.sendTone({ hz: 1000, packets: 15 }); // 0.3 s
    expect(await a.bye()).toBe(200);
    await noSessionFor(a.callId);
    const box = join(dir, 'voicemail', 'sales');
    expect(existsSync(box) ? readdirSync(box) : []).toEqual([]);
    expect(reports.find((r) => r.callId === a.callId)!.reason).toContain('discarded');
  });
});

describe('announcements', () => {
  it('plays an after-hours message to the answered caller, then the next step (here: none, so Switchboard hangs up)', async () => {
    tone('closed.wav', 700, 0.8);
    await configure(`routes:\n  - name: closed\n    then:\n      - play: closed.wav\n`);
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    await a.rtp.sendSilence(2);
    await a.rtp.waitFor((s) => s.audible >= 15, 3000);
    expect(heardHz(a.rtp, 10)).toBeGreaterThan(650);
    expect(heardHz(a.rtp, 10)).toBeLessThan(750);
    expect(await waitFor(() => a.hungUpByFarEnd, 5000)).toBe(true);
    await noSessionFor(a.callId);
    expect(reports.find((r) => r.callId === a.callId)).toMatchObject({ path: ['play'], hungUpBy: 'system' });
  });
});

describe('queues with music', () => {
  it('plays hold music to a waiting caller, stops it when the agent answers, bridges them and records the call (queue record: true)', async () => {
    tone('music.wav', 300, 2);
    const b = await callee();
    await configure(
      `users:\n  a1: { contacts: ["sip:a1@127.0.0.1:${b.uas.port}"] }\nagents:\n  a1: {}\nqueues:\n  q:\n    members: [a1]\n    music: music.wav\n    record: true\n    announcements: { position: false, estimated_wait: false }\nroutes:\n  - name: q\n    then: { queue: q }\n`,
    );
    sb.app!.acd!.agents.setState('a1', { state: 'paused', reason: 'test' });
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    await a.rtp.sendSilence(2);
    await a.rtp.waitFor((s) => s.audible >= 25, 3000);
    expect(heardHz(a.rtp, 10)).toBeGreaterThan(250);
    expect(heardHz(a.rtp, 10)).toBeLessThan(350);
    expect(b.uas.invites()).toHaveLength(0);
    sb.app!.acd!.agents.setState('a1', { state: 'available' });
    expect(await waitFor(() => b.uas.requests.some((r) => r.method === 'ACK'), 5000)).toBe(true);
    b.rtp.setRemote(audioPortOf(b.uas.invites()[0]!.body.toString()));
    a.rtp.resetReceived();
    await Promise.all([b.rtp.sendTone({ hz: 880, packets: 30 }), a.rtp.sendTone({ hz: 440, packets: 30 })]);
    await a.rtp.waitFor((s) => s.audible >= 10, 3000);
    expect(heardHz(a.rtp, 8)).toBeGreaterThan(820);
    expect(await a.bye()).toBe(200);
    await noSessionFor(a.callId);
    expect(reports.find((r) => r.callId === a.callId)!.path).toEqual(['queue:q', 'agent:a1']);
    const pcaps = join(dir, 'recordings', 'pcaps');
    const sidecars = readdirSync(pcaps).filter((n) => n.endsWith('.json'));
    expect(sidecars.some((n) => (JSON.parse(readFileSync(join(pcaps, n), 'utf8')) as { callId: string }).callId === a.callId)).toBe(true);
  });

  it('anchors a waiting caller\'s re-INVITE that moves its media: the music follows to the new port, and so does the agent once bridged', async () => {
    tone('music.wav', 300, 2);
    const b = await callee();
    await configure(
      `users:\n  a1: { contacts: ["sip:a1@127.0.0.1:${b.uas.port}"] }\nagents:\n  a1: {}\nqueues:\n  q:\n    members: [a1]\n    music: music.wav\n    announcements: { position: false, estimated_wait: false }\nroutes:\n  - name: q\n    then: { queue: q }\n`,
    );
    sb.app!.acd!.agents.setState('a1', { state: 'paused', reason: 'test' });
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    await a.rtp.sendSilence(2);
    await a.rtp.waitFor((s) => s.audible >= 10, 3000);
    const moved = await RtpEndpoint.open();
    closers.push(() => moved.close());
    const answer = await a.reinvite(moved.sdp());
    // Switchboard's end stays where it was; rtpengine now sends to the new port.
    expect(audioPortOf(answer)).toBe(audioPortOf(a.finalResponse()!.body.toString()));
    moved.setRemote(audioPortOf(answer));
    // No packet from the new port first: rtpengine must know it from the re-INVITE, not by learning.
    await moved.waitFor((s) => s.audible >= 25, 3000);
    expect(heardHz(moved, 10)).toBeGreaterThan(250);
    expect(heardHz(moved, 10)).toBeLessThan(350);
    // A re-INVITE without SDP gets the SDP of the last answer (what drachtio-srf keeps as the dialog's).
    const again = await a.reinvite('');
    expect(again).toBe(answer);
    const atOldPort = a.rtp.receivedStats.packets;
    await new Promise((r) => setTimeout(r, 200));
    expect(a.rtp.receivedStats.packets - atOldPort).toBeLessThanOrEqual(1);
    // The agent is offered the caller's new media, and the bridge relays re-INVITEs from then on.
    sb.app!.acd!.agents.setState('a1', { state: 'available' });
    expect(await waitFor(() => b.uas.requests.some((r) => r.method === 'ACK'), 5000)).toBe(true);
    b.rtp.setRemote(audioPortOf(b.uas.invites()[0]!.body.toString()));
    moved.resetReceived();
    await Promise.all([b.rtp.sendTone({ hz: 880, packets: 30 }), moved.sendTone({ hz: 440, packets: 30 })]);
    await moved.waitFor((s) => s.audible >= 10, 3000);
    expect(heardHz(moved, 8)).toBeGreaterThan(820);
    await b.rtp.waitFor((s) => s.audible >= 10, 3000);
    // The caller's 440 Hz tone from the new port, not the 300 Hz music.
    expect(heardHz(b.rtp, 8)).toBeGreaterThan(380);
    expect(heardHz(b.rtp, 8)).toBeLessThan(500);
    expect(await a.bye()).toBe(200);
    await noSessionFor(a.callId);
  });

  it('takes a callback request (key 1 after the offer), hangs up, then calls the agent and the caller back and bridges them', async () => {
    tone('music.wav', 300, 2);
    tone('prompts/press-1-for-callback.wav', 900, 0.3);
    tone('prompts/callback-confirmed.wav', 1200, 0.3);
    const agentSide = await callee();
    const customer = await callee();
    reports.length = 0;
    const events: string[] = [];
    await sb.configure(
      `trunks:\n  lab:\n    inbound: { sources: [127.0.0.0/8] }\n    outbound: { gateways: ["sip:127.0.0.1:${customer.uas.port}"] }\n` +
        `users:\n  a1: { contacts: ["sip:a1@127.0.0.1:${agentSide.uas.port}"] }\nagents:\n  a1: {}\n` +
        `queues:\n  q:\n    members: [a1]\n    music: music.wav\n    announcements: { position: false, estimated_wait: false }\n    callback: { digit: "1", offer_after: 1s }\n` +
        `routes:\n  - name: q\n    then: { queue: q }\n`,
      { media, onCallEnd: (r) => reports.push(r) },
    );
    sb.app!.acd!.events.on((e) => events.push(e.type));
    sb.app!.acd!.agents.setState('a1', { state: 'paused', reason: 'test' });
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    await a.rtp.sendSilence(2);
    // The offer (900 Hz) comes after a second of music.
    await a.rtp.waitFor(() => a.rtp.received.slice(-5).some((p) => p.payloadType === PCMU && Math.abs(heardHzOf(p.payload) - 900) < 60), 5000);
    await a.rtp.sendDigit('1', { durationMs: 60 });
    expect(await waitFor(() => a.hungUpByFarEnd, 5000)).toBe(true);
    expect(events).toContain('callback-requested');
    expect(events).not.toContain('call-abandoned');
    // The report comes once the flow has also deleted its rtpengine session, just after the BYE.
    expect(await waitFor(() => reports.some((r) => r.callId === a.callId), 5000)).toBe(true);
    expect(reports.find((r) => r.callId === a.callId)).toMatchObject({ reason: 'callback requested', path: ['queue:q', 'callback'] });
    // The agent becomes free: Switchboard calls the agent (no SDP: it asks for an offer), then the caller's number.
    sb.app!.acd!.agents.setState('a1', { state: 'available' });
    expect(await waitFor(() => customer.uas.requests.some((r) => r.method === 'ACK'), 10_000)).toBe(true);
    const toAgent = agentSide.uas.invites()[0]!;
    expect(toAgent.body.length).toBe(0);
    const toCaller = customer.uas.invites()[0]!;
    expect(toCaller.uri).toContain('+14155550100@127.0.0.1');
    expect(await waitFor(() => agentSide.uas.requests.some((r) => r.method === 'ACK' && r.body.toString().includes('m=audio')), 5000)).toBe(true);
    expect(await waitFor(() => events.includes('callback-completed'), 5000)).toBe(true);
    // Audio flows between them through rtpengine.
    customer.rtp.setRemote(audioPortOf(toCaller.body.toString()));
    agentSide.rtp.setRemote(audioPortOf(agentSide.uas.requests.find((r) => r.method === 'ACK')!.body.toString()));
    await Promise.all([customer.rtp.sendTone({ hz: 440, packets: 25 }), agentSide.rtp.sendTone({ hz: 880, packets: 25 })]);
    await agentSide.rtp.waitFor((s) => s.audible >= 10, 3000);
    expect(heardHz(agentSide.rtp, 8)).toBeGreaterThan(400);
    expect(heardHz(agentSide.rtp, 8)).toBeLessThan(480);
    sb.app!.hangupAll();
    expect(await waitFor(() => events.includes('call-completed'), 5000)).toBe(true);
    // The callback is a call attempt of its own in the CDR: the agent's leg, then the caller's.
    expect(await waitFor(() => reports.some((r) => r.callId === `${a.callId};callback=1`), 5000)).toBe(true);
    const cdr = reports.find((r) => r.callId === `${a.callId};callback=1`)!;
    expect(cdr).toMatchObject({ from: 'q', to: '+14155550100', trunk: 'lab', path: ['callback:q', 'agent:a1'], status: 200 });
    expect(cdr.legs.map((l) => [l.target, l.outcome])).toEqual([['a1', 'answered'], ['+14155550100', 'answered']]);
    expect(await media.client!.list()).toEqual(expect.not.arrayContaining([expect.stringContaining('callback-')]));
  });
});

describe('call recording', () => {
  it('records a bridged call of a rule with record: true (pcap and JSON sidecar)', async () => {
    const b = await callee();
    await configure(`routes:\n  - name: recorded\n    record: true\n    then: { ring: "sip:agent@127.0.0.1:${b.uas.port}" }\n`);
    const a = await caller();
    expect(await a.invite(sb.engine.udpPort, '1000')).toBe(200);
    b.rtp.setRemote(audioPortOf(b.uas.invites()[0]!.body.toString()));
    await Promise.all([a.rtp.sendTone({ hz: 440, packets: 25 }), b.rtp.sendTone({ hz: 880, packets: 25 })]);
    expect(await a.bye()).toBe(200);
    await noSessionFor(a.callId);
    const pcaps = join(dir, 'recordings', 'pcaps');
    const sidecars = readdirSync(pcaps).filter((n) => n.endsWith('.json')).map((n) => JSON.parse(readFileSync(join(pcaps, n), 'utf8')) as { callId: string; files: string[] });
    const meta = sidecars.find((m) => m.callId === a.callId);
    expect(meta, readdirSync(pcaps).join(', ')).toBeDefined();
    expect(meta!.files).toHaveLength(1);
    // Both directions' packets are in the capture: well over one direction's 25.
    const pcapBytes = readFileSync(join(dir, 'recordings', meta!.files[0]!)).length;
    expect(pcapBytes).toBeGreaterThan(40 * 172);
  });
});

describe('rtpengine down', () => {
  it('refuses calls needing media with 503 within 2 s, keeps signalling-only calls working, and recovers when rtpengine is back', async () => {
    const ng = { host: '127.0.0.1', port: await freeLoopbackPort() };
    const dtmfListen = { host: '127.0.0.1', port: await freeLoopbackPort() };
    const external = await MediaService.start({ mode: 'external', ng, mediaDir: join(dir, 'media'), dtmfListen });
    closers.push(() => external.stop());
    expect(external.available).toBe(false);
    const b = await callee();
    await configure(
      `ivr:\n  main: { prompt: menu.wav, options: { "1": { reject: 486 } } }\nroutes:\n  - name: menu\n    match: { to: "1000" }\n    then: { ivr: main }\n  - name: direct\n    then: { ring: "sip:agent@127.0.0.1:${b.uas.port}" }\n`,
      external,
    );
    const refused = await caller();
    const t0 = performance.now();
    expect(await refused.invite(sb.engine.udpPort, '1000')).toBe(503);
    expect(performance.now() - t0).toBeLessThan(2000);
    const direct = await caller();
    expect(await direct.invite(sb.engine.udpPort, '3000')).toBe(200);
    // Unanchored: the callee is offered the caller's own SDP.
    expect(audioPortOf(b.uas.invites()[0]!.body.toString())).toBe(direct.rtp.port);
    expect(await direct.bye()).toBe(200);
    // An external rtpengine reports digits where media.rtpengine.dtmf_listen says.
    const rtpengine = new RtpengineProcess({ ng, interfaces: ['127.0.0.1'], ...rtpPortRange(), dtmfLogDest: dtmfListen });
    await rtpengine.start();
    closers.push(() => rtpengine.stop());
    expect(await waitFor(() => external.available, 10_000)).toBe(true);
    const answered = await caller();
    expect(await answered.invite(sb.engine.udpPort, '1000')).toBe(200);
    // Key 1 (RFC 4733, reported by the external rtpengine) picks reject: Switchboard hangs up.
    await answered.rtp.sendSilence(2);
    await answered.rtp.sendDigit('1', { durationMs: 60 });
    expect(await waitFor(() => answered.hungUpByFarEnd, 5000)).toBe(true);
    expect(await waitFor(() => reports.some((r) => r.callId === answered.callId), 5000)).toBe(true);
    expect(reports.find((r) => r.callId === answered.callId)!.path).toEqual(['ivr:main', 'ivr:main:1', 'reject:486']);
    expect(await external.client!.list()).not.toContain(answered.callId);
  });
});

function heardHzOf(payload: Buffer): number {
  return zeroCrossingHz([...payload].map(pcmuToLinear));
}
