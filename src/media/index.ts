/**
 * The media layer's public API: rtpengine as a managed child or an external service, typed
 * ng commands with bounded time and health, per-call sessions, playback and DTMF.
 *
 * @example
 *   import { MediaService, HOLD_MUSIC } from '../media/index.js';
 *   const media = await MediaService.start({ mode: 'managed', ng: '127.0.0.1:22222', mediaDir: 'config/media' });
 *   const session = media.sessions!.open(callId, callerTag);
 *   const sdpForCaller = await session.answerLocally(callerSdp, { localTag: 'switchboard' });
 *   await session.playbackTo(callerTag).loop(HOLD_MUSIC);
 */
export { anchorFlags, type AnchorOptions } from './anchor-options.js';
export {
  CallRecorder,
  escapeCallId,
  type CallRecorderOptions,
  type CallRecordingParties,
  type CallRecordingSidecar,
} from './call-recording.js';
export {
  DEFAULT_MEDIA_FILES,
  GREETINGS,
  HOLD_MUSIC,
  MAX_SPOKEN_NUMBER,
  mediaPath,
  numberFragments,
  positionAnnouncement,
  PROMPTS,
  waitAnnouncement,
} from './announcements.js';
export { DtmfEvents, parseDtmfEvent, type DtmfDigit, type DtmfHandler } from './dtmf-events.js';
export { decodeG711, frameRms, g711Sample, G711_PAYLOAD_TYPES, type G711Codec } from './g711.js';
export {
  MediaClient,
  type AnswerRequest,
  type CallQuery,
  type DeleteRequest,
  type MediaClientOptions,
  type MediaHealth,
  type MediaStatistics,
  type OfferRequest,
  type PartyRef,
  type PlayDtmfRequest,
  type PlayMediaRequest,
} from './media-client.js';
export { MediaService, type MediaMode, type MediaServiceOptions } from './media-service.js';
export {
  MediaSession,
  MediaSessions,
  type LegSdpOptions,
  type MediaSessionState,
  type MediaSessionStats,
  type MediaSessionsOptions,
} from './media-session.js';
export { MAX_COMMAND_TIMEOUT_MS, parseNgAddress, UdpNgTransport, type NgAddress, type NgTransport } from './ng-transport.js';
export { LOOP_TIMES, Playback, type PlaybackOutcome } from './playback.js';
export { RtpengineProcess, type RtpengineProcessOptions, type RtpengineState } from './rtpengine-process.js';
export { audioEndpoint, sinkAnswer, type AudioEndpoint } from './sdp.js';
export { DEFAULT_SILENCE_THRESHOLD, SilenceDetector, type SilenceDetectorOptions } from './silence-detector.js';
export {
  answerIntoRecorder,
  MAX_RTP_PACKET_BYTES,
  recorderAnswer,
  VOICEMAIL_SAMPLE_RATE,
  VoicemailRecorder,
  type RecorderCodec,
  type RecordingEnd,
  type VoicemailMessage,
  type VoicemailOutcome,
  type VoicemailRecorderOptions,
  type VoicemailRecorderStats,
} from './voicemail-recorder.js';
export { WAV_HEADER_BYTES, WavWriter, wavHeader } from './wav-writer.js';
