// Test fixtures shared by the packages' suites: real broker processes and throwaway certificates.
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
