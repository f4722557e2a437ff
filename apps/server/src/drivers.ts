import {
  createMeshAdapter,
  LocalAdapter,
  type Adapter,
  type AdapterDriver,
  type Logger,
  type ServerConfig,
} from '@meshpush/pusher-server';
import { DriverUnavailableError } from './config/errors.js';
import type { RateLimiterDriver } from './config/settings.js';

/** Builds the adapter a configuration names. Rejects when it cannot; never falls back. */
export type AdapterFactory = (config: ServerConfig, logger: Logger) => Promise<Adapter>;

/**
 * One factory per adapter driver. A driver that cannot start rejects: a process that was asked
 * to join a cluster must not quietly run alone (split brain).
 */
export const adapterDrivers: Readonly<Record<AdapterDriver, AdapterFactory>> = {
  local: async () => new LocalAdapter(),
  cluster: async (config, logger) => {
    try {
      return await createMeshAdapter(config.cluster, logger);
    } catch (error) {
      const { host, port } = config.cluster;
      throw new DriverUnavailableError(`the cluster adapter could not join the mesh on ${host}:${port}: ${String(error)}`);
    }
  },
};

export function createAdapter(config: ServerConfig, logger: Logger): Promise<Adapter> {
  return adapterDrivers[config.adapter.driver](config, logger);
}

/**
 * Rate limiter drivers. The server builds its own local limiter (`ServerDeps` takes none yet),
 * so this registry only checks that the chosen driver exists in this build.
 */
export const rateLimiterDrivers: Readonly<Record<RateLimiterDriver, () => void>> = {
  local: () => undefined,
  cluster: () => {
    throw new DriverUnavailableError(
      'the cluster rate limiter is not available in this build (RATE_LIMITER_DRIVER=cluster)',
    );
  },
};

export function checkRateLimiter(driver: RateLimiterDriver): void {
  rateLimiterDrivers[driver]();
}
