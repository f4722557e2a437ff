export {
  defaultNatsTransportConfig,
  defaultRedisTransportConfig,
  type HeartbeatTimings,
  type NatsTransportConfig,
  type RedisNode,
  type RedisTransportConfig,
} from './config.js';
export { createNatsTransport, createRedisTransport } from './createBrokerTransport.js';
export { BrokerTransport, type BrokerTransportOptions, type BrokerTransportStats } from './BrokerTransport.js';
export type { BrokerConnection, BrokerConnectionEvents, BrokerConnectionStatus } from './BrokerConnection.js';
export { NatsConnection, type NatsConnectionOptions } from './NatsConnection.js';
export { RedisConnection, type RedisConnectionOptions, type RedisHostPort } from './RedisConnection.js';
export { natsNaming, natsPrefixProblem, redisNaming, type SubjectNaming } from './subjects.js';
