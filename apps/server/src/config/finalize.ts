import type { AppConfig, ServerConfig } from '@meshpush/pusher-server';
import { ConfigError } from './errors.js';
import { hasPort } from './parsers.js';
import type { RateLimiterDriver, SettingPath, Settings } from './settings.js';

/** The parts of a `ResolvedConfig` that `finalize` settles. */
export interface FinalConfig {
  server: ServerConfig;
  rateLimiter: { driver: RateLimiterDriver };
  log: { json: boolean };
  origins: ReadonlyMap<SettingPath, string>;
}

/**
 * Settles what depends on more than one setting: which apps are served, seed ports, and the
 * combinations that cannot work together.
 */
export function finalize(settings: Settings, origins: ReadonlyMap<SettingPath, string>): FinalConfig {
  const server: ServerConfig = {
    ...settings.server,
    apps: chooseApps(settings, origins),
    cluster: {
      ...settings.server.cluster,
      seeds: settings.server.cluster.seeds.map((seed) =>
        hasPort(seed) ? seed : `${seed}:${settings.server.cluster.port}`,
      ),
    },
  };
  checkCombinations(server, settings.rateLimiter.driver);
  return { server, rateLimiter: settings.rateLimiter, log: settings.log, origins };
}

/**
 * `appManager.array.apps` replaces the default app. Mixing it with `DEFAULT_APP_*` would leave
 * one of the two unused, so that is an error rather than a silent choice.
 */
function chooseApps(settings: Settings, origins: ReadonlyMap<SettingPath, string>): AppConfig[] {
  if (settings.apps === undefined) return [{ ...settings.defaultApp }];
  const defaultAppOrigin = [...origins].find(([path]) => path.startsWith('defaultApp.'))?.[1];
  if (defaultAppOrigin !== undefined) {
    throw new ConfigError(
      `${defaultAppOrigin} cannot be combined with the app list of ${origins.get('apps') ?? 'the config file'}; ` +
        'configure that app in the list',
    );
  }
  return settings.apps;
}

function checkCombinations(server: ServerConfig, rateLimiter: RateLimiterDriver): void {
  const { cluster, metrics } = server;
  const clustered = server.adapter.driver !== 'local';
  if (rateLimiter === 'cluster' && !clustered) {
    throw new ConfigError('RATE_LIMITER_DRIVER=cluster needs ADAPTER_DRIVER=cluster (one process has nothing to share)');
  }
  if (clustered && cluster.nodeTimeoutMs <= cluster.checkIntervalMs) {
    throw new ConfigError(
      `CLUSTER_NODE_TIMEOUT (${cluster.nodeTimeoutMs} ms) must be longer than CLUSTER_CHECK_INTERVAL (${cluster.checkIntervalMs} ms)`,
    );
  }
  if (metrics.enabled && sameListener(server, metrics)) {
    throw new ConfigError(`METRICS_SERVER_PORT and PORT are both ${server.port}; give metrics its own port`);
  }
  if (clustered && sameListener(server, cluster)) {
    throw new ConfigError(`CLUSTER_PORT and PORT are both ${server.port}; give the mesh its own port`);
  }
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '']);

function sameListener(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  if (a.port === 0 || a.port !== b.port) return false;
  return a.host === b.host || ANY_ADDRESS.has(a.host) || ANY_ADDRESS.has(b.host);
}
