// Test fixtures shared by the packages' suites: real broker processes, throwaway certificates,
// watched child processes, waits with deadlines, and the real Pusher clients (pusher-js, the
// `pusher` SDK, raw `ws`) pointed at a server on 127.0.0.1.
export {
  BrokerProcess,
  brokersRequired,
  findBroker,
  missingBrokers,
  REQUIRE_BROKERS_ENV,
  type BrokerKind,
  type BrokerOptions,
} from './brokers.js';
export { TestCa, type CertFiles, type CertPem, type TeardownHost } from './certs.js';
export {
  cleanEnv,
  signalGroup,
  spawnWatched,
  terminate,
  waitForExit,
  type ExitResult,
  type WatchedProcess,
} from './process.js';
export { httpsGet, type HttpsAnswer, type HttpsGetOptions } from './https.js';
export { freePort, freePortRun } from './ports.js';
export { parsePrometheus, scrape, type ParsedMetrics, type ParsedSample } from './prometheus.js';
export {
  authorizedClient,
  DEFAULT_APP,
  nextEvent,
  pusherClient,
  pusherSdk,
  subscribed,
  type PusherClient,
  type ServerAddress,
  type UserSpec,
} from './pusher.js';
export { rawConnect, RawSocket, type ReceivedFrame } from './rawSocket.js';
export { waitFor, type WaitOptions } from './wait.js';
export { startReceiver, summary, type ReceivedWebhook, type WebhookReceiver } from './webhookReceiver.js';
