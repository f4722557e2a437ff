import type { MetricsConfig } from '../config/ServerConfig.js';
import type { Logger } from '../util/Logger.js';
import { MetricsServer, type ExtraRoute } from './MetricsServer.js';
import type { ServerMetrics } from './ServerMetrics.js';

/** Binds the metrics listener when metrics or another internal service (`extra`) are on; `undefined` otherwise. */
export async function startMetricsServer(
  config: MetricsConfig,
  metrics: ServerMetrics | undefined,
  logger: Logger,
  extra?: ExtraRoute,
): Promise<MetricsServer | undefined> {
  if (!metrics && !extra) return undefined;
  const server = await MetricsServer.listen(config.host, config.port, metrics, logger, extra);
  if (metrics) logger.info('metrics listening', { host: config.host, port: server.port, path: '/metrics' });
  else logger.info('internal listener up (metrics off)', { host: config.host, port: server.port });
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
