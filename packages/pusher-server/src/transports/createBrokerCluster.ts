import type { ClusterTransport } from '@meshpush/mesh-transport';
import { ClusterAdapter } from '../adapter/cluster/ClusterAdapter.js';
import type { MeshCluster } from '../adapter/cluster/createMeshAdapter.js';
import type { ServerConfig } from '../config/ServerConfig.js';
import { silentLogger, type Logger } from '../util/Logger.js';
import type { BrokerConnection } from './BrokerConnection.js';
import { BrokerTransport } from './BrokerTransport.js';
import { NatsConnection } from './NatsConnection.js';
import { RedisConnection } from './RedisConnection.js';
import { natsNaming, redisNaming, type SubjectNaming } from './subjects.js';

/** Starts a NATS transport from `config.adapter.nats` and the cluster timings. Rejects when NATS refuses us. */
export function createNatsTransport(config: ServerConfig, logger: Logger = silentLogger): Promise<BrokerTransport> {
  const nats = config.adapter.nats;
  const connection = new NatsConnection({
    servers: nats.servers,
    user: nats.user,
    password: nats.password,
    token: nats.token,
    connectTimeoutMs: nats.connectTimeoutMs,
  });
  return startTransport(connection, natsNaming(nats.prefix), nats.requestTimeoutMs, config, logger);
}

/** Starts a Redis transport from `config.adapter.redis` (DB_REDIS_* included). Rejects when Redis refuses us. */
export function createRedisTransport(config: ServerConfig, logger: Logger = silentLogger): Promise<BrokerTransport> {
  const redis = config.adapter.redis;
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
  return startTransport(connection, redisNaming(redis.prefix), redis.requestTimeoutMs, config, logger);
}

async function startTransport(
  connection: BrokerConnection,
  naming: SubjectNaming,
  requestTimeoutMs: number,
  config: ServerConfig,
  logger: Logger,
): Promise<BrokerTransport> {
  const transport = new BrokerTransport({
    connection,
    naming,
    checkIntervalMs: config.cluster.checkIntervalMs,
    nodeTimeoutMs: config.cluster.nodeTimeoutMs,
    requestTimeoutMs,
    logger,
  });
  return transport.start();
}

/** A cluster adapter over NATS (`ADAPTER_DRIVER=nats`), built in the turn its transport starts. */
export async function createNatsCluster(config: ServerConfig, logger: Logger = silentLogger): Promise<MeshCluster> {
  return adapterOver(await createNatsTransport(config, logger), 'nats', logger);
}

/** A cluster adapter over Redis pub/sub (`ADAPTER_DRIVER=redis`). */
export async function createRedisCluster(config: ServerConfig, logger: Logger = silentLogger): Promise<MeshCluster> {
  return adapterOver(await createRedisTransport(config, logger), 'redis', logger);
}

function adapterOver(transport: ClusterTransport, driver: string, logger: Logger): MeshCluster {
  return { adapter: new ClusterAdapter(transport, { logger, driver }), transport };
}
