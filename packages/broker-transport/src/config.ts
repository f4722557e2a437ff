/** A Redis server or Sentinel address. */
export interface RedisNode {
  host: string;
  port: number;
}

/** The NATS transport (`ADAPTER_DRIVER=nats`); names and defaults follow soketi's `ADAPTER_NATS_*`. */
export interface NatsTransportConfig {
  /** Servers to connect to (`host:port` or `nats://host:port`). @default ['127.0.0.1:4222'] */
  servers: string[];
  /** @default undefined */
  user: string | undefined;
  /** @default undefined */
  password: string | undefined;
  /** @default undefined */
  token: string | undefined;
  /** Subject prefix, so several clusters can share one NATS. @default '' */
  prefix: string;
  /** Connect timeout (ADAPTER_NATS_TIMEOUT). @default 10000 */
  connectTimeoutMs: number;
  /** Timeout of cross-node requests. @default 5000 */
  requestTimeoutMs: number;
}

/** The Redis transport (`ADAPTER_DRIVER=redis`): `ADAPTER_REDIS_*` and the shared `DB_REDIS_*`. */
export interface RedisTransportConfig {
  /** @default '127.0.0.1' */
  host: string;
  /** @default 6379 */
  port: number;
  /** @default 0 */
  db: number;
  /** @default undefined */
  username: string | undefined;
  /** @default undefined */
  password: string | undefined;
  /** ioredis key prefix (pub/sub channels are not keys: unused by the transport). @default '' */
  keyPrefix: string;
  /** Sentinels; non-empty = ask them for the master `instanceName`. @default [] */
  sentinels: RedisNode[];
  /** @default undefined */
  sentinelPassword: string | undefined;
  /** Sentinel master name. @default 'mymaster' */
  instanceName: string;
  /** Redis Cluster (ADAPTER_REDIS_CLUSTER_MODE): connect to `clusterNodes`. @default false */
  clusterMode: boolean;
  /** @default [] */
  clusterNodes: RedisNode[];
  /** Channel prefix, so several clusters can share one Redis (ADAPTER_REDIS_PREFIX). @default '' */
  prefix: string;
  /** Timeout of cross-node requests. @default 5000 */
  requestTimeoutMs: number;
}

/** A fresh copy of the NATS transport defaults (soketi's). */
export function defaultNatsTransportConfig(): NatsTransportConfig {
  return {
    servers: ['127.0.0.1:4222'],
    user: undefined,
    password: undefined,
    token: undefined,
    prefix: '',
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 5000,
  };
}

/** A fresh copy of the Redis transport defaults (soketi's). */
export function defaultRedisTransportConfig(): RedisTransportConfig {
  return {
    host: '127.0.0.1',
    port: 6379,
    db: 0,
    username: undefined,
    password: undefined,
    keyPrefix: '',
    sentinels: [],
    sentinelPassword: undefined,
    instanceName: 'mymaster',
    clusterMode: false,
    clusterNodes: [],
    prefix: '',
    requestTimeoutMs: 5000,
  };
}

/**
 * Heartbeat timings of a broker transport, with the mesh's names and meaning
 * (CLUSTER_CHECK_INTERVAL, CLUSTER_NODE_TIMEOUT).
 */
export interface HeartbeatTimings {
  /** Heartbeat interval. @default 500 */
  checkIntervalMs?: number;
  /** Silence after which a peer is down. @default 2000 */
  nodeTimeoutMs?: number;
}
