/**
 * Types for the parts of `rtpengine-client` (0.4.x, untyped CommonJS) that Switchboard uses:
 * the UDP `Client`, one method per ng verb. Replies are bencode dictionaries decoded as UTF-8.
 */
declare module 'rtpengine-client' {
  import type { EventEmitter } from 'node:events';

  interface NgDestination {
    port: number;
    host: string;
  }

  type NgReply = Record<string, unknown>;
  type NgVerb = (dest: NgDestination, params?: Record<string, unknown>) => Promise<NgReply>;

  interface ClientOptions {
    localPort?: number;
    localAddress?: string;
    /** Drops the pending reply after this many ms and rejects with an RtpEngineError. */
    timeout?: number;
  }

  class Client extends EventEmitter {
    constructor(options: ClientOptions);
    ping: NgVerb;
    offer: NgVerb;
    answer: NgVerb;
    delete: NgVerb;
    query: NgVerb;
    list: NgVerb;
    statistics: NgVerb;
    playMedia: NgVerb;
    stopMedia: NgVerb;
    playDTMF: NgVerb;
    blockDTMF: NgVerb;
    unblockDTMF: NgVerb;
    startRecording: NgVerb;
    stopRecording: NgVerb;
    close(): void;
  }

  class RtpEngineError extends Error {}

  const rtpengine: { Client: typeof Client; RtpEngineError: typeof RtpEngineError };
  export default rtpengine;
}
