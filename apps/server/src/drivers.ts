import { createNatsTransport, createRedisTransport } from '@meshpush/broker-transport';
import { ClusterRateLimiter, LocalRateLimiter, type RateLimiter } from '@meshpush/cluster-ratelimiter';
import {
  ClusterAdapter,
  createMeshCluster,
  LocalAdapter,
  type Adapter,
  type AdapterDriver,
  type Logger,
  type MeshCluster,
  type ServerConfig,
} from '@meshpush/pusher-server';
import { DriverUnavailableError } from './config/errors.js';
import type { Brokers, RateLimiterDriver } from './config/settings.js';

/** An adapter, and the cluster transport it runs on when it has one (the cluster rate limiter shares it). */
export interface AdapterBuild {
  readonly adapter: Adapter;
  readonly transport?: MeshCluster['transport'];
  /** The mesh itself, for certificate rotation (SIGHUP); only the cluster driver has one. */
  readonly mesh?: MeshCluster['mesh'];
}

/** Builds the adapter a configuration names. Rejects when it cannot; never falls back. */
export type AdapterFactory = (config: ServerConfig, brokers: Brokers, logger: Logger) => Promise<AdapterBuild>;

/**
 * One factory per adapter driver. A driver that cannot start rejects: a process that was asked
 * to join a cluster must not quietly run alone (split brain).
 */
export const adapterDrivers: Readonly<Record<AdapterDriver, AdapterFactory>> = {
  local: async () => ({ adapter: new LocalAdapter() }),
  cluster: async (config, _brokers, logger) => {
    try {
      return createMeshCluster(config.cluster, logger);
    } catch (error) {
      const { host, port } = config.cluster;
      throw new DriverUnavailableError(
        `the cluster adapter could not join the mesh on ${host}:${port}: ${String(error)}`,
      );
    }
  },
  // Not started here: the server's start starts the adapter, which starts the transport; a broker
  // that refuses us then stops the start (describeStartFailure), never a silent local fallback.
  nats: async (config, brokers, logger) => {
    const transport = createNatsTransport(brokers.nats, config.cluster, logger);
    return { adapter: new ClusterAdapter(transport, { logger, driver: 'nats' }), transport };
  },
  redis: async (config, brokers, logger) => {
    const transport = createRedisTransport(brokers.redis, config.cluster, logger);
    return { adapter: new ClusterAdapter(transport, { logger, driver: 'redis' }), transport };
  },
};

export function createAdapter(config: ServerConfig, brokers: Brokers, logger: Logger): Promise<AdapterBuild> {
  return adapterDrivers[config.adapter.driver](config, brokers, logger);
}

/** Builds the rate limiter a configuration names, over the adapter's transport when it needs one. */
export type RateLimiterFactory = (build: AdapterBuild, logger: Logger) => RateLimiter;

/**
 * One factory per rate limiter driver. `cluster` keeps one global budget per app across the
 * cluster, so it needs a cluster adapter's transport (mesh, NATS or Redis; the configuration
 * already refuses it without one); without one it stops rather than limit each node alone.
 */
export const rateLimiterDrivers: Readonly<Record<RateLimiterDriver, RateLimiterFactory>> = {
  local: () => new LocalRateLimiter(),
  cluster: (build, logger) => clusterRateLimiter('cluster', build, logger),
  // soketi's name for a limiter shared through Redis: the same cluster limiter, over the Redis transport.
  redis: (build, logger) => clusterRateLimiter('redis', build, logger),
};

function clusterRateLimiter(driver: RateLimiterDriver, { transport }: AdapterBuild, logger: Logger): RateLimiter {
  if (!transport) {
    throw new DriverUnavailableError(
      `RATE_LIMITER_DRIVER=${driver} needs a cluster adapter (ADAPTER_DRIVER=cluster, nats or redis)`,
    );
  }
  return new ClusterRateLimiter(transport, { logger });
}

export function createRateLimiter(driver: RateLimiterDriver, build: AdapterBuild, logger: Logger): RateLimiter {
  return rateLimiterDrivers[driver](build, logger);
}
