/**
 * Switchboard's own INVITE→200 time, measured in the bench process on the application
 * thread: from the moment drachtio-srf hands the application a new INVITE (the Response
 * object gets its request) to the moment the application sends the 200 for it. This is
 * a bench-only hook on drachtio-srf's Response prototype, installed once; nothing in src/
 * changes. It covers routing, the B leg's INVITE/180/200 round trip through the engine
 * and the far end, and the relay of the 200; it does not cover the engine's parse of
 * the A leg's INVITE or its send of the final 200 (those are in SIPp's figure).
 *
 * Cost per INVITE: one performance.now() and a histogram insert; nothing per call table.
 *
 * @example
 *   const timing = installInviteTiming();
 *   timing.reset();   // start of the measured window
 *   …
 *   timing.percentiles(); // { count, p50, p95, p99, max } in ms
 */
import { createRequire } from 'node:module';
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import type { Percentiles } from './stats-math.js';

interface SrfMessageLike {
  readonly method?: string;
  get(name: string): string | undefined;
}
interface ResponseProto {
  send(this: TimedResponse, status: number, ...rest: unknown[]): unknown;
}
interface TimedResponse {
  [STARTED]?: number;
}

const STARTED = Symbol('switchboard.bench.inviteStarted');

export interface InviteTiming {
  /** Forget what was recorded (start of a measured window). */
  reset(): void;
  /** INVITE→200 on the application thread since the last reset, ms. */
  percentiles(): Percentiles;
}

let installed: InviteTiming | undefined;

export function installInviteTiming(): InviteTiming {
  if (installed !== undefined) return installed;
  const require = createRequire(import.meta.url);
  const Response = require('drachtio-srf/lib/response.js') as { prototype: ResponseProto };
  const proto = Response.prototype;
  const reqProperty = Object.getOwnPropertyDescriptor(proto, 'req');
  if (reqProperty?.set === undefined || reqProperty.get === undefined) {
    throw new Error('drachtio-srf Response has no `req` accessor: the bench timing hook needs updating for this drachtio-srf version');
  }
  // Histogram in µs: 1 µs to 60 s.
  let histogram: RecordableHistogram = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
  const setReq = reqProperty.set;
  Object.defineProperty(proto, 'req', {
    configurable: true,
    get: reqProperty.get,
    set(this: TimedResponse, req: SrfMessageLike) {
      // Only initial INVITEs (no To tag): re-INVITEs are not call setup.
      if (req.method === 'INVITE' && !/;\s*tag=/i.test(req.get('To') ?? '')) this[STARTED] = performance.now();
      setReq.call(this, req);
    },
  });
  const send = proto.send;
  proto.send = function (this: TimedResponse, status: number, ...rest: unknown[]): unknown {
    const started = this[STARTED];
    if (started !== undefined && status >= 200) {
      this[STARTED] = undefined;
      if (status === 200) histogram.record(Math.max(1, Math.min(60_000_000, Math.round((performance.now() - started) * 1000))));
    }
    return send.call(this, status, ...rest);
  };
  installed = {
    reset: () => {
      histogram = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
    },
    percentiles: () => {
      const count = histogram.count;
      if (count === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
      return {
        count,
        p50: histogram.percentile(50) / 1000,
        p95: histogram.percentile(95) / 1000,
        p99: histogram.percentile(99) / 1000,
        max: histogram.max / 1000,
      };
    },
  };
  return installed;
}
