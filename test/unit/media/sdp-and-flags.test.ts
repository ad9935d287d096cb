import { describe, expect, it } from 'vitest';
import { anchorFlags } from '../../../src/media/anchor-options.js';
import { audioEndpoint, sinkAnswer } from '../../../src/media/sdp.js';

const offer = [
  'v=0',
  'o=- 7 7 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 30000 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=rtcp:30001',
  'a=candidate:1 1 udp 2130706431 127.0.0.1 30000 typ host',
  'a=sendonly',
  'm=video 0 RTP/AVP 96',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n');

describe('audioEndpoint', () => {
  it('reads the audio address, port and payloads', () => {
    expect(audioEndpoint(offer)).toEqual({ address: '127.0.0.1', port: 30000, payloads: [0, 8, 101] });
  });

  it('prefers a media-level connection line and is undefined without audio', () => {
    expect(audioEndpoint(offer.replace('m=audio 30000 RTP/AVP 0 8 101', 'm=audio 30000 RTP/AVP 0 8 101\r\nc=IN IP4 127.0.0.9'))?.address).toBe(
      '127.0.0.9',
    );
    expect(audioEndpoint(offer.replace('m=audio', 'm=text'))).toBeUndefined();
  });
});

describe('sinkAnswer', () => {
  it('keeps the codecs, moves the audio to 0.0.0.0:9 sendrecv, drops ICE and RTCP, keeps rejected streams rejected', () => {
    const answer = sinkAnswer(offer);
    expect(audioEndpoint(answer)).toEqual({ address: '0.0.0.0', port: 9, payloads: [0, 8, 101] });
    expect(answer).toMatch(/^a=sendrecv\r$/m);
    expect(answer).not.toMatch(/sendonly|candidate|a=rtcp:/);
    expect(answer).toMatch(/^m=video 0 RTP\/AVP 96\r$/m);
    expect(answer).toMatch(/^o=- 7 7 IN IP4 0\.0\.0\.0\r$/m);
  });
});

describe('anchorFlags', () => {
  it('defaults to rewriting origin and connection and removing ICE', () => {
    expect(anchorFlags()).toEqual({ replace: ['origin', 'session-connection'], ICE: 'remove' });
  });

  it('restricts codecs (keeping telephone-event once), adds transcoding, protocol and ptime', () => {
    expect(anchorFlags({ codecs: ['PCMA', 'telephone-event'], transcode: ['PCMU'], keepIce: true, transportProtocol: 'RTP/AVP', ptime: 20 })).toEqual({
      replace: ['origin', 'session-connection'],
      'transport-protocol': 'RTP/AVP',
      ptime: 20,
      codec: { mask: ['all'], except: ['PCMA', 'telephone-event'], transcode: ['PCMU'] },
    });
    expect(anchorFlags({ codecs: ['G722'] }).codec).toEqual({ mask: ['all'], except: ['G722', 'telephone-event'] });
    expect(anchorFlags({ codecs: [], transcode: [] }).codec).toBeUndefined();
  });
});
