/**
 * Per-trunk media options, translated into the flags of an ng `offer`/`answer`.
 *
 * Defaults suit plain SIP trunks and phones: rtpengine rewrites the origin and the
 * session-level connection line (so the SDP points at rtpengine, not at the far end)
 * and removes ICE, which plain RTP endpoints do not speak.
 *
 * @example
 *   anchorFlags({ codecs: ['PCMU', 'PCMA'], transcode: ['PCMA'] });
 *   // { replace: ['origin', 'session-connection'], ICE: 'remove',
 *   //   codec: { mask: ['all'], except: ['PCMU', 'PCMA', 'telephone-event'], transcode: ['PCMA'] } }
 */
import type { NgParams } from './ng-transport.js';

export interface AnchorOptions {
  /**
   * Codecs this leg may carry, by encoding name in preference order; everything else is
   * masked: left out of the SDP sent on this leg but still accepted from the other side,
   * so that rtpengine transcodes (with `transcode`) instead of failing the call.
   * telephone-event is always kept so that RFC 4733 digits survive.
   */
  codecs?: readonly string[];
  /** Codecs rtpengine adds to the SDP and transcodes to when the other side lacks them. */
  transcode?: readonly string[];
  /** Keep ICE candidates (WebRTC legs); plain RTP legs have them removed. */
  keepIce?: boolean;
  /** Force the leg's transport protocol, e.g. RTP/AVP towards a trunk from a SAVP phone. */
  transportProtocol?: 'RTP/AVP' | 'RTP/SAVP' | 'RTP/AVPF' | 'RTP/SAVPF' | 'UDP/TLS/RTP/SAVPF';
  /** Audio packetisation (ms) rtpengine sends on this leg; it repacketises when it differs. */
  ptime?: number;
}

const TELEPHONE_EVENT = 'telephone-event';

export function anchorFlags(options: AnchorOptions = {}): NgParams {
  const params: NgParams = { replace: ['origin', 'session-connection'] };
  if (options.keepIce !== true) params.ICE = 'remove';
  if (options.transportProtocol !== undefined) params['transport-protocol'] = options.transportProtocol;
  if (options.ptime !== undefined) params.ptime = options.ptime;
  const codec: Record<string, string[]> = {};
  if (options.codecs !== undefined && options.codecs.length > 0) {
    codec.mask = ['all'];
    codec.except = options.codecs.includes(TELEPHONE_EVENT) ? [...options.codecs] : [...options.codecs, TELEPHONE_EVENT];
  }
  if (options.transcode !== undefined && options.transcode.length > 0) codec.transcode = [...options.transcode];
  if (Object.keys(codec).length > 0) params.codec = codec;
  return params;
}
