/**
 * The little SDP reading and writing the media layer does itself, with sdp-transform.
 * Everything else about SDP is rtpengine's job.
 *
 * @example
 *   audioEndpoint(sdp);      // { address: '127.0.0.1', port: 30000, payloads: [0, 101] }
 *   sinkAnswer(rtpengineOffer); // the same codecs at 0.0.0.0 port 9, sendrecv
 */
import sdpTransform from 'sdp-transform';
import { SwitchboardError } from '../util/errors.js';

export interface AudioEndpoint {
  /** Media-level connection address, else the session-level one. */
  address: string;
  port: number;
  payloads: number[];
}

function parse(sdp: string): sdpTransform.SessionDescription {
  const parsed = sdpTransform.parse(sdp);
  if (!Array.isArray(parsed.media)) throw new SwitchboardError('SB_MEDIA_REFUSED', 'SDP without media sections');
  return parsed;
}

/** Where the first audio stream of `sdp` receives RTP; undefined when there is none. */
export function audioEndpoint(sdp: string): AudioEndpoint | undefined {
  const parsed = parse(sdp);
  const audio = parsed.media.find((m) => m.type === 'audio');
  if (audio === undefined) return undefined;
  const address = audio.connection?.ip ?? parsed.connection?.ip;
  if (address === undefined) return undefined;
  return { address, port: audio.port, payloads: sdpTransform.parsePayloads(String(audio.payloads ?? '')) };
}

/**
 * An answer from a party that never sends or receives RTP (Switchboard answering a caller
 * itself for queue music, IVR or voicemail): the offered codecs, at the null address
 * 0.0.0.0 port 9 (discard), so rtpengine sends nothing towards it. Rejected streams
 * (port 0) stay rejected.
 */
export function sinkAnswer(offer: string): string {
  const parsed = parse(offer);
  parsed.origin = { ...parsed.origin, address: '0.0.0.0' };
  parsed.connection = { version: 4, ip: '0.0.0.0' };
  for (const m of parsed.media) {
    delete m.connection;
    delete m.candidates;
    delete m.iceUfrag;
    delete m.icePwd;
    delete m.rtcp;
    if (m.port !== 0) {
      m.port = 9;
      m.direction = 'sendrecv';
    }
  }
  delete parsed.direction;
  return sdpTransform.write(parsed);
}
