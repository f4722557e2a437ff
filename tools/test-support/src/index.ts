// Test fixtures shared by the packages' suites: real broker processes, throwaway certificates,
// watched child processes and waits with deadlines.
export {
  BrokerProcess,
  brokersRequired,
  findBroker,
  freePort,
  missingBrokers,
  REQUIRE_BROKERS_ENV,
  type BrokerKind,
  type BrokerOptions,
} from './brokers.js';
export { TestCa, type CertFiles, type CertPem, type TeardownHost } from './certs.js';
export { spawnWatched, terminate, type ExitResult, type WatchedProcess } from './process.js';
export { waitFor, type WaitOptions } from './wait.js';
