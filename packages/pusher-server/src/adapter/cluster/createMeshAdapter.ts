import { Mesh, type ClusterTransport } from '@meshpush/mesh-transport';
import type { ClusterConfig } from '../../config/ServerConfig.js';
import { silentLogger, type Logger } from '../../util/Logger.js';
import { ClusterAdapter } from './ClusterAdapter.js';

/**
 * A cluster adapter over the mesh described by `config`, not started: the server's `start()`
 * starts the adapter, which starts the mesh (and rejects when it cannot listen: the caller must
 * stop, never fall back to local). Throws a `RangeError` for an invalid mesh option.
 */
export function createMeshAdapter(config: ClusterConfig, logger: Logger = silentLogger): ClusterAdapter {
  return createMeshCluster(config, logger).adapter;
}

/** A cluster adapter and the mesh it runs on, which other cluster features share (the rate limiter). */
export interface MeshCluster {
  readonly adapter: ClusterAdapter;
  /** Owned by the adapter: `adapter.close()` closes it. */
  readonly transport: ClusterTransport;
  /**
   * The same transport as a `Mesh`, for what only the mesh has (`updateTls` on certificate
   * rotation); absent when the transport is a broker.
   */
  readonly mesh?: Mesh;
}

/** Like {@link createMeshAdapter}, and also gives the transport (always a `Mesh` here) for other users of the same mesh. */
export function createMeshCluster(
  config: ClusterConfig,
  logger: Logger = silentLogger,
): MeshCluster & { readonly mesh: Mesh } {
  const mesh = new Mesh({
    host: config.host,
    port: config.port,
    seeds: config.seeds,
    ...(config.secret ? { secret: config.secret } : {}),
    ...(config.name ? { clusterName: config.name } : {}),
    checkIntervalMs: config.checkIntervalMs,
    nodeTimeoutMs: config.nodeTimeoutMs,
    masterTimeoutMs: config.masterTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    ...(config.tls !== undefined && { tls: config.tls }),
    logger,
  });
  return { adapter: new ClusterAdapter(mesh, { logger, driver: 'cluster' }), transport: mesh, mesh };
}
