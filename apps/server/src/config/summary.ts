import type { AppConfig, ServerConfig } from '@meshpush/pusher-server';
import type { ResolvedConfig } from './resolve.js';
import type { Brokers } from './settings.js';

/** Facts about the running binary shown in the first summary line. */
export interface BuildInfo {
  version: string;
  nodeVersion: string;
  pid: number;
}

/**
 * The resolved configuration as a few human-readable lines, printed once at start. It names
 * apps by id and key only: no secret (app secrets, the cluster secret, webhook headers) appears.
 */
export function describeConfig(config: ResolvedConfig, build: BuildInfo): string[] {
  const { server } = config;
  const lines = [
    `meshpush ${build.version} (node ${build.nodeVersion}, pid ${build.pid})`,
    `config: ${describeSources(config)}`,
    `listen: ${server.host}:${server.port}, path prefix ${server.pathPrefix === '' ? '(none)' : server.pathPrefix}`,
    `drivers: adapter=${server.adapter.driver} rate-limiter=${config.rateLimiter.driver} app-manager=${config.appManager.driver} cache=memory queue=sync`,
    `apps: ${describeApps(config)}`,
    `limits: ${describeLimits(server)}`,
    `timeouts: shutdown grace ${server.shutdownGracePeriodMs} ms, user authentication ${server.userAuthenticationTimeoutMs} ms, activity ${server.activityTimeoutSec} s`,
    `metrics: ${server.metrics.enabled ? `${server.metrics.host}:${server.metrics.port} prefix ${server.metrics.prefix}` : 'off'}`,
    `webhooks: ${describeWebhooks(server)}`,
  ];
  if (server.adapter.driver !== 'local') lines.push(`cluster: ${describeCluster(server, config.brokers)}`);
  lines.push(`tls: ${describeTls(config)}`);
  return lines;
}

/** The configured apps, or where a database driver reads them (never credentials). */
function describeApps(config: ResolvedConfig): string {
  const { driver } = config.appManager;
  if (driver === 'array') return config.server.apps.map(describeApp).join('; ');
  if (driver === 'dynamodb') {
    const { table, region, endpoint } = config.appManager.dynamodb;
    return `table ${table} in dynamodb ${endpoint === '' ? region : endpoint}`;
  }
  const { host, port, database } = config.appManager.database[driver];
  return `table ${config.appManager[driver].table} in ${driver} ${host}:${port}/${database}`;
}

/** Which names set something (never their values), so an operator sees what was picked up. */
function describeSources(config: ResolvedConfig): string {
  const file = config.configFile === undefined ? 'no file' : `file ${config.configFile}`;
  const given = [...new Set(config.origins.values())].filter((label) => !label.includes('" in '));
  return `${file}; environment and flags: ${given.length > 0 ? given.join(', ') : '(none)'}`;
}

function describeApp(app: AppConfig): string {
  const traits = [
    app.enabled === false ? 'disabled' : undefined,
    app.enableClientMessages ? 'client-messages' : undefined,
    app.enableUserAuthentication ? 'user-authentication' : undefined,
    app.enableSubscriptionCount ? 'subscription-count' : undefined,
    quota('max-connections', app.maxConnections),
    quota('backend-events/s', app.maxBackendEventsPerSecond),
    quota('client-events/s', app.maxClientEventsPerSecond),
    quota('reads/s', app.maxReadRequestsPerSecond),
    app.webhooks?.length ? `webhooks=${app.webhooks.length}` : undefined,
  ].filter((trait) => trait !== undefined);
  return `id=${app.id} key=${app.key}${traits.length > 0 ? ` (${traits.join(', ')})` : ''}`;
}

function quota(name: string, value: number | undefined): string | undefined {
  return value === undefined || value < 0 ? undefined : `${name}=${value}`;
}

function describeLimits(server: ServerConfig): string {
  const { limits } = server;
  return [
    `channel name ${limits.maxChannelNameLength}`,
    `channels/connection ${limits.maxChannelsPerConnection}`,
    `event name ${limits.maxEventNameLength}`,
    `payload ${limits.maxEventPayloadKb} KB`,
    `channels/trigger ${limits.maxEventChannelsAtOnce}`,
    `batch ${limits.maxEventBatchSize}`,
    `presence members ${limits.maxPresenceMembersPerChannel}`,
    `member info ${limits.maxPresenceMemberSizeKb} KB`,
    `cache TTL ${server.channelCacheTtlSec} s`,
  ].join(', ');
}

function describeWebhooks(server: ServerConfig): string {
  const w = server.webhooks;
  return [
    w.batching ? `batching ${w.batchingDurationMs} ms (at most ${w.batchMaxEvents} events)` : 'no batching',
    `leave delay ${w.leaveDelayMs} ms`,
    `timeout ${w.timeoutMs} ms`,
    `retries ${w.retryInitialDelayMs}–${w.retryMaxDelayMs} ms for ${w.retryForMs} ms`,
    `queue ${w.maxQueuedEvents} events, ${w.maxConcurrentRequests} requests at once`,
  ].join(', ');
}

/** Which listeners speak TLS, and from which files (never the passphrase). */
function describeTls(config: ResolvedConfig): string {
  const { ssl } = config.server;
  const client =
    ssl.certFile === ''
      ? 'client off'
      : `client on (cert ${ssl.certFile}${ssl.caFile === '' ? '' : `, CA ${ssl.caFile}`})`;
  const mesh =
    config.clusterTls.certFile === ''
      ? 'mesh off'
      : `mesh mutual TLS (cert ${config.clusterTls.certFile}, CA ${config.clusterTls.caFile})`;
  const metrics = config.server.metrics.enabled && ssl.certFile !== '' ? '; the metrics port stays plain HTTP' : '';
  return `${client}; ${mesh}${metrics}`;
}

function describeCluster(server: ServerConfig, brokers: Brokers): string {
  const { cluster } = server;
  if (server.adapter.driver === 'nats' || server.adapter.driver === 'redis') return describeBroker(server, brokers);
  return [
    `${cluster.host}:${cluster.port}`,
    `name ${cluster.name === '' ? '(none)' : cluster.name}`,
    `seeds ${cluster.seeds.length > 0 ? cluster.seeds.join(',') : '(none)'}`,
    `secret ${cluster.secret === undefined ? 'not set' : 'set'}`,
    `heartbeat ${cluster.checkIntervalMs} ms, node timeout ${cluster.nodeTimeoutMs} ms, master timeout ${cluster.masterTimeoutMs} ms`,
  ].join(', ');
}

/** Where the broker is and how nodes find each other on it (credentials only as set / not set). */
function describeBroker(server: ServerConfig, brokers: Brokers): string {
  const { cluster, adapter } = server;
  const timing = `heartbeat ${cluster.checkIntervalMs} ms, node timeout ${cluster.nodeTimeoutMs} ms`;
  if (adapter.driver === 'nats') {
    const { nats } = brokers;
    const auth = nats.token ? 'token' : nats.user ? `user ${nats.user}` : 'no auth';
    return [
      `nats ${nats.servers.join(',')}`,
      auth,
      `prefix ${nats.prefix === '' ? '(none)' : nats.prefix}`,
      timing,
    ].join(', ');
  }
  const { redis } = brokers;
  const where =
    redis.sentinels.length > 0
      ? `sentinel ${redis.instanceName} via ${redis.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`
      : redis.clusterMode
        ? `cluster ${(redis.clusterNodes.length > 0 ? redis.clusterNodes : [redis]).map((n) => `${n.host}:${n.port}`).join(',')}`
        : `${redis.host}:${redis.port} db ${redis.db}`;
  const auth = `password ${redis.password === undefined ? 'not set' : 'set'}`;
  return [`redis ${where}`, auth, `prefix ${redis.prefix === '' ? '(none)' : redis.prefix}`, timing].join(', ');
}
