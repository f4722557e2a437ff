import { Mesh } from '@meshpush/mesh-transport';
import type { ClusterConfig } from '../../config/ServerConfig.js';
import { silentLogger, type Logger } from '../../util/Logger.js';
import { ClusterAdapter } from './ClusterAdapter.js';

/**
 * Joins the mesh described by `config` and returns a cluster adapter over it. The adapter is
 * built in the same turn as the mesh resolves, so it hears every peer from the first one on.
 * Rejects when the mesh cannot start (the caller must stop: never fall back to local).
 */
export async function createMeshAdapter(config: ClusterConfig, logger: Logger = silentLogger): Promise<ClusterAdapter> {
  const mesh = await Mesh.start({
    host: config.host,
    port: config.port,
    seeds: config.seeds,
    ...(config.secret ? { secret: config.secret } : {}),
    ...(config.name ? { clusterName: config.name } : {}),
    checkIntervalMs: config.checkIntervalMs,
    nodeTimeoutMs: config.nodeTimeoutMs,
    masterTimeoutMs: config.masterTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    logger,
  });
  return new ClusterAdapter(mesh, { logger, driver: 'cluster' });
}
