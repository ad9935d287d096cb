/**
 * Call recording without rtpengine: the ng commands it sends, how it finds rtpengine's
 * files for one call among others', its sidecar, and that failures only log.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CallRecorder, escapeCallId } from '../../../src/media/call-recording.js';
import { MediaClient } from '../../../src/media/media-client.js';
import { RtpengineProcess } from '../../../src/media/rtpengine-process.js';
import { defaultAnswer, FakeNg } from './fake-ng.js';

const root = mkdtempSync(join(tmpdir(), 'switchboard-callrec-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function client(ng: FakeNg): Promise<MediaClient> {
  const media = new MediaClient({ ng: '127.0.0.1:22222', transport: ng, keepaliveMs: 60_000 });
  expect(await media.start()).toBe('up');
  return media;
}

describe('escapeCallId', () => {
  it.each([
    ['abc123-._~XYZ', 'abc123-._~XYZ'],
    ['a@127.0.0.1', 'a%40127.0.0.1'],
    ["a/b c'!()*", "a%2Fb%20c%27%21%28%29%2A"],
    ['é', '%C3%A9'],
  ])('%s -> %s', (id, escaped) => {
    expect(escapeCallId(id)).toBe(escaped);
  });
});

describe('rtpengine command line', () => {
  it('recordingDir adds --recording-dir and the pcap method; absent, neither', () => {
    const base = { ng: { host: '127.0.0.1', port: 22222 }, interfaces: ['127.0.0.1'], portMin: 30000, portMax: 30999 };
    expect(new RtpengineProcess({ ...base, recordingDir: '/var/rec' }).argv.slice(-2)).toEqual(['--recording-dir=/var/rec', '--recording-method=pcap']);
    expect(new RtpengineProcess(base).argv.some((a) => a.startsWith('--recording'))).toBe(false);
  });
});

describe('CallRecorder', () => {
  it('sends start/stop recording with our metadata, finds only this call\'s files, writes the sidecar next to the pcap', async () => {
    const dir = join(root, 'a');
    mkdirSync(join(dir, 'pcaps'), { recursive: true });
    mkdirSync(join(dir, 'metadata'), { recursive: true });
    const callId = 'abc@host';
    const mine = `${escapeCallId(callId)}-0123456789abcdef`;
    for (const name of [`${mine}.pcap`, 'abc%40host-x-0123456789abcdef.pcap', 'abc%40hostile-0123456789abcdef.pcap', `${mine}.pcap.tmp`]) {
      writeFileSync(join(dir, 'pcaps', name), '');
    }
    writeFileSync(join(dir, 'metadata', `rtpengine-meta-${mine}.txt`), '');
    const ng = new FakeNg();
    const media = await client(ng);
    let t = Date.UTC(2026, 0, 1, 12, 0, 0);
    const recorder = new CallRecorder({ client: media, recordingDir: dir, now: () => t });
    expect(await recorder.start(callId, { caller: 'alice', callee: 'bob' })).toBe(true);
    expect(await recorder.start(callId, { caller: 'alice', callee: 'bob' })).toBe(true); // once per call
    expect(ng.sent.filter((s) => s.command === 'start recording').map((s) => s.params)).toEqual([
      { 'call-id': callId, metadata: 'switchboard caller=alice callee=bob' },
    ]);
    t += 65_000;
    const sidecar = await recorder.stop(callId);
    expect(ng.sent.at(-1)).toMatchObject({ command: 'stop recording', params: { 'call-id': callId } });
    expect(sidecar).toEqual({
      callId,
      parties: { caller: 'alice', callee: 'bob' },
      startedAt: '2026-01-01T12:00:00.000Z',
      endedAt: '2026-01-01T12:01:05.000Z',
      files: [`pcaps/${mine}.pcap`],
      metadata: [`metadata/rtpengine-meta-${mine}.txt`],
    });
    expect(JSON.parse(readFileSync(join(dir, 'pcaps', `${mine}.json`), 'utf8'))).toEqual(sidecar);
    expect(await recorder.stop(callId)).toBeUndefined(); // no longer recording
    media.close();
  });

  it('without a pcap the sidecar is still written, named after the call and start time', async () => {
    const dir = join(root, 'b');
    mkdirSync(join(dir, 'pcaps'), { recursive: true });
    const media = await client(new FakeNg());
    const recorder = new CallRecorder({ client: media, recordingDir: dir, now: () => 1000 });
    await recorder.start('x/y', { caller: 'a', callee: 'b' });
    const sidecar = await recorder.stop('x/y');
    expect(sidecar?.files).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'pcaps', 'x%2Fy-1000.json'), 'utf8'))).toEqual(sidecar);
    media.close();
  });

  it('a refused start resolves false; a refused stop still writes the sidecar', async () => {
    const dir = join(root, 'c');
    mkdirSync(join(dir, 'pcaps'), { recursive: true });
    let refuse = 'start recording';
    const ng = new FakeNg((command, params) => (command === refuse ? { result: 'error', 'error-reason': 'Unknown call-id' } : defaultAnswer(command, params)));
    const media = await client(ng);
    const recorder = new CallRecorder({ client: media, recordingDir: dir });
    expect(await recorder.start('c1', { caller: 'a', callee: 'b' })).toBe(false);
    expect(recorder.isRecording('c1')).toBe(false);
    refuse = 'stop recording';
    expect(await recorder.start('c1', { caller: 'a', callee: 'b' })).toBe(true);
    expect((await recorder.stop('c1'))?.callId).toBe('c1');
    expect(media.health).toBe('up');
    media.close();
  });

  it('rtpengine down: start resolves false at once, nothing thrown', async () => {
    const ng = new FakeNg();
    const media = await client(ng);
    ng.dead = true;
    media.close(); // a closed client refuses every command without sending
    const recorder = new CallRecorder({ client: media, recordingDir: join(root, 'd') });
    expect(await recorder.start('c2', { caller: 'a', callee: 'b' })).toBe(false);
  });
});
