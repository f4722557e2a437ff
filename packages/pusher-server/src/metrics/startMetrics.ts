import type { MetricsConfig } from '../config/ServerConfig.js';
import type { Logger } from '../util/Logger.js';
import { MetricsServer } from './MetricsServer.js';
import type { ServerMetrics } from './ServerMetrics.js';

/** Binds the metrics listener when metrics are on; `undefined` otherwise. */
export async function startMetricsServer(
  config: MetricsConfig,
  metrics: ServerMetrics | undefined,
  logger: Logger,
): Promise<MetricsServer | undefined> {
  if (!metrics) return undefined;
  const server = await MetricsServer.listen(config.host, config.port, metrics, logger);
  logger.info('metrics listening', { host: config.host, port: server.port, path: '/metrics' });
  return server;
}

/** Closes what `startMetricsServer` opened and stops the metric collectors. */
export async function stopMetrics(
  server: MetricsServer | undefined,
  metrics: ServerMetrics | undefined,
): Promise<void> {
  metrics?.close();
  await server?.close();
}
