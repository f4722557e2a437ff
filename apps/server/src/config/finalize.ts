import type { AppConfig, ServerConfig } from '@meshpush/pusher-server';
import { ConfigError } from './errors.js';
import { hasPort } from './parsers.js';
import type {
  AppManagerSettings,
  Brokers,
  ClusterTlsFiles,
  RateLimiterDriver,
  SettingPath,
  Settings,
} from './settings.js';

/** The parts of a `ResolvedConfig` that `finalize` settles. */
export interface FinalConfig {
  server: ServerConfig;
  rateLimiter: { driver: RateLimiterDriver };
  brokers: Brokers;
  log: { json: boolean };
  origins: ReadonlyMap<SettingPath, string>;
  /** Mesh TLS files; `server.cluster.tls` is filled from them at start. */
  clusterTls: ClusterTlsFiles;
  appManager: AppManagerSettings;
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
  checkTlsFiles(server, settings.clusterTls);
  const { rateLimiter, brokers, log, clusterTls, appManager } = settings;
  return { server, rateLimiter, brokers, log, origins, clusterTls, appManager };
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
    throw new ConfigError(
      'RATE_LIMITER_DRIVER=cluster needs ADAPTER_DRIVER=cluster, nats or redis (one process has nothing to share)',
    );
  }
  if (rateLimiter === 'redis' && server.adapter.driver !== 'redis') {
    throw new ConfigError(
      'RATE_LIMITER_DRIVER=redis shares limits over the Redis adapter: set ADAPTER_DRIVER=redis, ' +
        `or RATE_LIMITER_DRIVER=cluster to share them over ADAPTER_DRIVER=${server.adapter.driver}`,
    );
  }
  if (clustered && cluster.nodeTimeoutMs <= cluster.checkIntervalMs) {
    throw new ConfigError(
      `CLUSTER_NODE_TIMEOUT (${cluster.nodeTimeoutMs} ms) must be longer than CLUSTER_CHECK_INTERVAL (${cluster.checkIntervalMs} ms)`,
    );
  }
  const { debugConsole } = server;
  if (debugConsole.enabled && debugConsole.token === '') {
    throw new ConfigError(
      'DEBUG_CONSOLE_ENABLED needs an admin token: set DEBUG_CONSOLE_TOKEN or DEBUG_CONSOLE_TOKEN_FILE',
    );
  }
  if ((metrics.enabled || debugConsole.enabled) && sameListener(server, metrics)) {
    throw new ConfigError(`METRICS_SERVER_PORT and PORT are both ${server.port}; give metrics its own port`);
  }
  if (server.adapter.driver === 'cluster' && sameListener(server, cluster)) {
    throw new ConfigError(`CLUSTER_PORT and PORT are both ${server.port}; give the mesh its own port`);
  }
}

/** TLS files come in sets: a half-configured TLS would either not start or silently stay plain. */
function checkTlsFiles(server: ServerConfig, clusterTls: ClusterTlsFiles): void {
  const { ssl } = server;
  const clientSet = { SSL_CERT: ssl.certFile, SSL_KEY: ssl.keyFile };
  if (ssl.certFile !== '' || ssl.keyFile !== '') requireAll(clientSet, 'client TLS');
  else if (ssl.caFile !== '' || ssl.passphrase !== '')
    throw new ConfigError('SSL_CA and SSL_PASS(PHRASE) need SSL_CERT and SSL_KEY');
  const meshSet = {
    CLUSTER_TLS_CERT: clusterTls.certFile,
    CLUSTER_TLS_KEY: clusterTls.keyFile,
    CLUSTER_TLS_CA: clusterTls.caFile,
  };
  if (Object.values(meshSet).every((file) => file === '')) return;
  requireAll(meshSet, 'mesh TLS');
  if (server.adapter.driver !== 'cluster')
    throw new ConfigError('CLUSTER_TLS_* secures the mesh: it needs ADAPTER_DRIVER=cluster');
}

function requireAll(files: Record<string, string>, what: string): void {
  const missing = Object.entries(files)
    .filter(([, file]) => file === '')
    .map(([name]) => name);
  if (missing.length > 0)
    throw new ConfigError(`${what} needs ${Object.keys(files).join(', ')}; missing: ${missing.join(', ')}`);
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '']);

function sameListener(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  if (a.port === 0 || a.port !== b.port) return false;
  return a.host === b.host || ANY_ADDRESS.has(a.host) || ANY_ADDRESS.has(b.host);
}
