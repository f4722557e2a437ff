import { silentLogger, type Logger } from '@meshpush/mesh-transport';
import type { BrokerConnection } from './BrokerConnection.js';
import { BrokerTransport } from './BrokerTransport.js';
import type { HeartbeatTimings, NatsTransportConfig, RedisTransportConfig } from './config.js';
import { NatsConnection } from './NatsConnection.js';
import { RedisConnection } from './RedisConnection.js';
import { natsNaming, redisNaming } from './subjects.js';

/** A NATS transport from its configuration (not started: `start()` connects). */
export function createNatsTransport(
  nats: NatsTransportConfig,
  timings: HeartbeatTimings = {},
  logger: Logger = silentLogger,
): BrokerTransport {
  const connection = new NatsConnection({
    servers: nats.servers,
    user: nats.user,
    password: nats.password,
    token: nats.token,
    connectTimeoutMs: nats.connectTimeoutMs,
  });
  return transportOver(connection, natsNaming(nats.prefix), nats.requestTimeoutMs, timings, logger);
}

/** A Redis transport from its configuration (`DB_REDIS_*` included; not started: `start()` connects). */
export function createRedisTransport(
  redis: RedisTransportConfig,
  timings: HeartbeatTimings = {},
  logger: Logger = silentLogger,
): BrokerTransport {
  const connection = new RedisConnection({
    host: redis.host,
    port: redis.port,
    db: redis.db,
    username: redis.username,
    password: redis.password,
    keyPrefix: redis.keyPrefix,
    sentinels: redis.sentinels,
    sentinelPassword: redis.sentinelPassword,
    instanceName: redis.instanceName,
    clusterMode: redis.clusterMode,
    clusterNodes: redis.clusterNodes,
  });
  return transportOver(connection, redisNaming(redis.prefix), redis.requestTimeoutMs, timings, logger);
}

function transportOver(
  connection: BrokerConnection,
  naming: ReturnType<typeof natsNaming>,
  requestTimeoutMs: number,
  timings: HeartbeatTimings,
  logger: Logger,
): BrokerTransport {
  return new BrokerTransport({ connection, naming, requestTimeoutMs, logger, ...timings });
}
