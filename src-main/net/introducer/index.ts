// The introducer protocol (/cairn/introducer/1.0.0): signed storage-server announcements, the
// introducer service that collects and forwards them, and the client every node runs.
export {
  AnnouncementError,
  AnnouncementLimits,
  ANNOUNCEMENT_SIGNING_PREFIX,
  canonicalJson,
  checkAnnouncementBody,
  signAnnouncement,
  verifyAnnouncement,
  type AnnouncementBody,
  type AnnouncementErrorCode,
  type SignedAnnouncement,
} from './announcement.js';
export { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { TypedEmitter, type Listener } from './emitter.js';
export {
  IntroducerClient,
  SERVER_TAG,
  type IntroducerAddress,
  type IntroducerClientEvents,
  type IntroducerClientOptions,
  type StorageAnnouncer,
} from './introducer-client.js';
export {
  AnnounceRefused,
  IntroducerService,
  serveIntroducer,
  type IntroducerServiceOptions,
  type StoredAnnouncement,
} from './introducer-service.js';
export { silentLogger, type IntroducerLogger } from './logger.js';
export {
  INTRODUCER_PROTOCOL,
  IntroducerErrorCode,
  MAX_INTRODUCER_FRAME,
  type AnnounceResponse,
  type AnnounceResult,
  type IntroducerPush,
  type IntroducerRequest,
} from './protocol.js';
export { ServerList, type ServerConnectionState, type ServerEntry } from './server-list.js';
