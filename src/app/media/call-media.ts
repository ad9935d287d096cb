/**
 * The media a call flow gets from the running MediaService: rtpengine sessions, whether
 * rtpengine answers now, each trunk's anchor options (codecs, transcoding, ptime from
 * `trunks.<name>.media`, computed once per configuration), and the call recorder.
 *
 * @example
 *   const media = callMediaOf(service, config);   // undefined when media.rtpengine.mode is off
 *   new CallFlow(srf, req, res, { …, media });
 */
import type { Config } from '../../config/index.js';
import type { AnchorOptions, MediaService } from '../../media/index.js';
import type { CallMedia } from '../call/call-flow.js';

const NO_OPTIONS: AnchorOptions = Object.freeze({});

export function callMediaOf(service: MediaService, config: Config): CallMedia | undefined {
  const sessions = service.sessions;
  if (sessions === undefined) return undefined;
  const byTrunk = new Map<string, AnchorOptions>();
  for (const [name, trunk] of Object.entries(config.trunks)) {
    const m = trunk.media;
    if (m === undefined) continue;
    byTrunk.set(
      name,
      Object.freeze({
        ...(m.codecs === undefined ? {} : { codecs: m.codecs }),
        ...(m.transcode === undefined ? {} : { transcode: m.transcode }),
        ...(m.ptime === undefined ? {} : { ptime: m.ptime }),
      }),
    );
  }
  return {
    sessions,
    available: () => service.available,
    options: (trunk) => (trunk === undefined ? NO_OPTIONS : (byTrunk.get(trunk) ?? NO_OPTIONS)),
    ...(service.recorder === undefined ? {} : { recorder: service.recorder }),
  };
}
