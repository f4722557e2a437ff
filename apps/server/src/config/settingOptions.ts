import type { AdapterDriver } from '@meshpush/pusher-server';
import { parseWebhooks, parseApps } from './apps.js';
import { appManagerOptions } from './appManagerOptions.js';
import { brokerOptions } from './brokerOptions.js';
import { debugConsoleOptions } from './debugConsoleOptions.js';
import { setting, type SettingOption } from './options.js';
import { tlsOptions } from './tlsOptions.js';
import { webhookOptions } from './webhookOptions.js';
import { ValueError } from './errors.js';
import {
  decimal,
  oneOf,
  parseAppId,
  parseBoolean,
  parseCount,
  parseHostPortList,
  parseMetricPrefix,
  parsePathPrefix,
  parsePort,
  parsePositive,
  parseQuota,
  text,
  type Parser,
} from './parsers.js';
import type { RateLimiterDriver } from './settings.js';

const parseAdapter = oneOf<AdapterDriver>(['local', 'cluster', 'nats', 'redis'], {}, 'driver');

/** `redis` is soketi's name: here it is the cluster limiter over the Redis transport. */
const parseRateLimiter = oneOf<RateLimiterDriver>(['local', 'cluster', 'redis'], {}, 'driver');

const QUEUE_IN_PROCESS = 'webhooks are queued in-process, bounded';

const parseMode = oneOf(
  ['full'],
  {
    planned: {
      server: 'meshpush always serves WebSockets and sends webhooks',
      worker: 'meshpush has no queue workers',
    },
  },
  'mode',
);
const parseCacheDriver = oneOf(
  ['memory'],
  { planned: { redis: 'cache channels are kept in memory on every node' } },
  'driver',
);
const parseQueueDriver = oneOf(['sync'], { planned: { redis: QUEUE_IN_PROCESS, sqs: QUEUE_IN_PROCESS } }, 'driver');
const parseMetricsDriver = oneOf(['prometheus'], {}, 'driver');

/** soketi lists origins; one `Access-Control-Allow-Origin` value is all the HTTP API sends. */
const parseCorsOrigin: Parser<string> = (input) => {
  const origins = Array.isArray(input) ? input : [input];
  if (origins.length !== 1) throw new ValueError('expected one origin or "*" (lists of origins are not supported yet)');
  return text()(origins[0]);
};

const host = text();
const percent = decimal(0, 100);
const kilobytes = decimal(0.001);

function defaultApp(suffix: string, field: string, parse: Parser<unknown>, doc: string, secret = false): SettingOption {
  return setting({
    env: `DEFAULT_APP_${suffix}`,
    key: `appManager.array.apps.0.${field}`,
    target: `defaultApp.${field}` as SettingOption['target'],
    parse,
    doc,
    secret,
  });
}

const serverOptions: SettingOption[] = [
  setting({
    env: 'HOST',
    key: 'host',
    flag: '--host <host>',
    target: 'server.host',
    parse: host,
    doc: 'bind address of the WebSocket/HTTP port',
  }),
  setting({
    env: 'PORT',
    key: 'port',
    flag: '--port <port>',
    target: 'server.port',
    parse: parsePort,
    doc: 'WebSocket + HTTP API port (0 = any free port)',
  }),
  setting({
    env: 'PATH_PREFIX',
    key: 'pathPrefix',
    flag: '--path-prefix <prefix>',
    target: 'server.pathPrefix',
    parse: parsePathPrefix,
    doc: 'prefix of every route, e.g. /pusher',
  }),
  setting({
    env: 'DEBUG',
    key: 'debug',
    flag: '--debug',
    target: 'server.debug',
    parse: parseBoolean,
    doc: 'verbose logs',
  }),
  setting({
    env: 'LOG_JSON',
    key: 'log.json',
    flag: '--log-json',
    target: 'log.json',
    parse: parseBoolean,
    doc: 'one JSON object per log line',
  }),
  setting({ env: 'MODE', key: 'mode', target: null, parse: parseMode, doc: 'soketi run mode' }),
  setting({
    env: 'SHUTDOWN_GRACE_PERIOD',
    key: 'shutdownGracePeriod',
    flag: '--shutdown-grace-period <ms>',
    target: 'server.shutdownGracePeriodMs',
    parse: parseCount,
    doc: 'milliseconds given to sockets to drain on shutdown',
  }),
  setting({
    env: 'USER_AUTHENTICATION_TIMEOUT',
    key: 'userAuthenticationTimeout',
    target: 'server.userAuthenticationTimeoutMs',
    parse: parsePositive,
    doc: 'ms before sockets that did not sign in are closed (apps requiring sign-in)',
  }),
  setting({
    env: 'HTTP_ACCEPT_TRAFFIC_MEMORY_THRESHOLD',
    key: 'httpApi.acceptTraffic.memoryThreshold',
    target: 'server.acceptTrafficMemoryThresholdPercent',
    parse: percent,
    doc: '/accept-traffic answers 503 above this memory use (%)',
  }),
  setting({
    key: 'cors.origin',
    target: 'server.corsAllowOrigin',
    parse: parseCorsOrigin,
    doc: 'Access-Control-Allow-Origin of the HTTP API',
  }),
  setting({
    env: 'ACTIVITY_TIMEOUT_SEC',
    key: 'activityTimeoutSec',
    target: 'server.activityTimeoutSec',
    parse: parsePositive,
    doc: 'activity_timeout advertised to clients (s)',
  }),
  setting({
    env: 'PONG_TIMEOUT_MS',
    key: 'pongTimeoutMs',
    target: 'server.pongTimeoutMs',
    parse: parsePositive,
    doc: 'ms to wait for a pong before closing with 4201',
  }),
  setting({
    env: 'MAX_BACKPRESSURE_BYTES',
    key: 'maxBackpressureBytes',
    target: 'server.maxBackpressureBytes',
    parse: parsePositive,
    doc: 'bytes buffered for one slow client before it is dropped',
  }),
];

const appOptions: SettingOption[] = [
  ...appManagerOptions,
  setting({
    key: 'appManager.array.apps',
    target: 'apps',
    parse: parseApps,
    doc: 'the apps (config file only); replaces the default app',
    secret: true,
  }),
  defaultApp('ID', 'id', parseAppId, 'default app id'),
  defaultApp('KEY', 'key', text(), 'default app key'),
  defaultApp('SECRET', 'secret', text(), 'default app secret', true),
  defaultApp('ENABLED', 'enabled', parseBoolean, 'a disabled app refuses connections (4003)'),
  defaultApp('ENABLE_CLIENT_MESSAGES', 'enableClientMessages', parseBoolean, 'allow client- events'),
  defaultApp('USER_AUTHENTICATION', 'enableUserAuthentication', parseBoolean, 'require pusher:signin'),
  defaultApp(
    'ENABLE_SUBSCRIPTION_COUNT',
    'enableSubscriptionCount',
    parseBoolean,
    'send pusher_internal:subscription_count',
  ),
  defaultApp('MAX_CONNS', 'maxConnections', parseQuota, 'connections (-1 = unlimited)'),
  defaultApp(
    'MAX_BACKEND_EVENTS_PER_SEC',
    'maxBackendEventsPerSecond',
    parseQuota,
    'HTTP publishes per second (-1 = unlimited)',
  ),
  defaultApp(
    'MAX_CLIENT_EVENTS_PER_SEC',
    'maxClientEventsPerSecond',
    parseQuota,
    'client events per second (-1 = unlimited)',
  ),
  defaultApp('MAX_READ_REQ_PER_SEC', 'maxReadRequestsPerSecond', parseQuota, 'HTTP reads per second (-1 = unlimited)'),
  defaultApp('WEBHOOKS', 'webhooks', parseWebhooks, 'webhooks (JSON list)', true),
];

const limitOptions: SettingOption[] = [
  setting({
    env: 'CHANNEL_LIMITS_MAX_NAME_LENGTH',
    key: 'channelLimits.maxNameLength',
    target: 'server.limits.maxChannelNameLength',
    parse: parsePositive,
    doc: 'longest channel name',
  }),
  setting({
    env: 'CHANNEL_LIMITS_MAX_PER_CONNECTION',
    key: 'channelLimits.maxPerConnection',
    target: 'server.limits.maxChannelsPerConnection',
    parse: parsePositive,
    doc: 'channels one connection may subscribe to at once',
  }),
  setting({
    env: 'CHANNEL_CACHE_TTL',
    key: 'channelLimits.cacheTtl',
    target: 'server.channelCacheTtlSec',
    parse: parsePositive,
    doc: 'cache channel TTL (s)',
  }),
  setting({
    env: 'EVENT_MAX_CHANNELS_AT_ONCE',
    key: 'eventLimits.maxChannelsAtOnce',
    target: 'server.limits.maxEventChannelsAtOnce',
    parse: parsePositive,
    doc: 'channels per trigger',
  }),
  setting({
    env: 'EVENT_MAX_NAME_LENGTH',
    key: 'eventLimits.maxNameLength',
    target: 'server.limits.maxEventNameLength',
    parse: parsePositive,
    doc: 'longest event name',
  }),
  setting({
    env: 'EVENT_MAX_SIZE_IN_KB',
    key: 'eventLimits.maxPayloadInKb',
    target: 'server.limits.maxEventPayloadKb',
    parse: kilobytes,
    doc: 'largest event payload (KB)',
  }),
  setting({
    env: 'EVENT_MAX_BATCH_SIZE',
    key: 'eventLimits.maxBatchSize',
    target: 'server.limits.maxEventBatchSize',
    parse: parsePositive,
    doc: 'events per batch',
  }),
  setting({
    env: 'PRESENCE_MAX_MEMBERS',
    key: 'presence.maxMembersPerChannel',
    target: 'server.limits.maxPresenceMembersPerChannel',
    parse: parsePositive,
    doc: 'members per presence channel',
  }),
  setting({
    env: 'PRESENCE_MAX_MEMBER_SIZE',
    key: 'presence.maxMemberSizeInKb',
    target: 'server.limits.maxPresenceMemberSizeKb',
    parse: kilobytes,
    doc: 'largest presence user_info (KB)',
  }),
];

const clusterOptions: SettingOption[] = [
  setting({
    env: 'ADAPTER_DRIVER',
    key: 'adapter.driver',
    flag: '--adapter <driver>',
    target: 'server.adapter.driver',
    parse: parseAdapter,
    doc: 'local, cluster (mesh), nats or redis',
  }),
  setting({
    env: 'RATE_LIMITER_DRIVER',
    key: 'rateLimiter.driver',
    flag: '--rate-limiter <driver>',
    target: 'rateLimiter.driver',
    parse: parseRateLimiter,
    doc: 'local, cluster, or redis (= cluster over ADAPTER_DRIVER=redis)',
  }),
  setting({
    env: 'ADAPTER_CLUSTER_REQUESTS_TIMEOUT',
    key: 'adapter.cluster.requestsTimeout',
    target: 'server.cluster.requestTimeoutMs',
    parse: parsePositive,
    doc: 'ms before a cross-node request gives up',
  }),
  setting({
    env: 'CLUSTER_HOST',
    key: 'cluster.hostname',
    flag: '--cluster-host <host>',
    target: 'server.cluster.host',
    parse: host,
    doc: 'mesh listen address',
  }),
  setting({
    env: 'CLUSTER_PORT',
    key: 'cluster.port',
    flag: '--cluster-port <port>',
    target: 'server.cluster.port',
    parse: parsePort,
    doc: 'mesh rendezvous port',
  }),
  setting({
    env: 'CLUSTER_SEEDS',
    key: 'cluster.seeds',
    flag: '--cluster-seeds <list>',
    target: 'server.cluster.seeds',
    parse: parseHostPortList,
    doc: 'host:port,… of nodes on other hosts',
  }),
  setting({
    env: 'CLUSTER_UNICAST_ADDRESSES',
    key: 'cluster.unicast',
    target: 'server.cluster.seeds',
    parse: parseHostPortList,
    doc: "soketi's name for the seeds",
  }),
  setting({
    env: 'CLUSTER_SECRET',
    key: 'cluster.secret',
    target: 'server.cluster.secret',
    parse: text(),
    doc: 'shared secret of the mesh handshake',
    secret: true,
  }),
  setting({
    env: 'CLUSTER_PREFIX',
    key: 'cluster.prefix',
    flag: '--cluster-prefix <name>',
    target: 'server.cluster.name',
    parse: text({ allowEmpty: true }),
    doc: 'cluster name checked at the handshake',
  }),
  setting({
    env: 'CLUSTER_CHECK_INTERVAL',
    key: 'cluster.checkInterval',
    target: 'server.cluster.checkIntervalMs',
    parse: parsePositive,
    doc: 'mesh heartbeat interval (ms)',
  }),
  setting({
    env: 'CLUSTER_KEEPALIVE_INTERVAL',
    key: 'cluster.helloInterval',
    target: 'server.cluster.checkIntervalMs',
    parse: parsePositive,
    doc: "soketi's hello interval: sets the heartbeat interval",
  }),
  setting({
    env: 'CLUSTER_NODE_TIMEOUT',
    key: 'cluster.nodeTimeout',
    target: 'server.cluster.nodeTimeoutMs',
    parse: parsePositive,
    doc: 'silence (ms) after which a peer is dead',
  }),
  setting({
    env: 'CLUSTER_MASTER_TIMEOUT',
    key: 'cluster.masterTimeout',
    target: 'server.cluster.masterTimeoutMs',
    parse: parsePositive,
    doc: 'ms before survivors race for the rendezvous port',
  }),
];

const otherOptions: SettingOption[] = [
  setting({
    env: 'CACHE_DRIVER',
    key: 'cache.driver',
    target: null,
    parse: parseCacheDriver,
    doc: 'cache channel store',
  }),
  setting({ env: 'QUEUE_DRIVER', key: 'queue.driver', target: null, parse: parseQueueDriver, doc: 'webhook queue' }),
  setting({
    env: 'METRICS_ENABLED',
    key: 'metrics.enabled',
    flag: '--metrics',
    target: 'server.metrics.enabled',
    parse: parseBoolean,
    doc: 'serve Prometheus /metrics',
  }),
  setting({
    env: 'METRICS_DRIVER',
    key: 'metrics.driver',
    target: null,
    parse: parseMetricsDriver,
    doc: 'metrics format',
  }),
  setting({
    env: 'METRICS_HOST',
    key: 'metrics.host',
    flag: '--metrics-host <host>',
    target: 'server.metrics.host',
    parse: host,
    doc: 'metrics bind address',
  }),
  setting({
    env: 'METRICS_SERVER_PORT',
    key: 'metrics.port',
    flag: '--metrics-port <port>',
    target: 'server.metrics.port',
    parse: parsePort,
    doc: 'metrics port',
  }),
  setting({
    env: 'METRICS_PROMETHEUS_PREFIX',
    key: 'metrics.prometheus.prefix',
    flag: '--metrics-prefix <prefix>',
    target: 'server.metrics.prefix',
    parse: parseMetricPrefix,
    doc: 'metric name prefix',
  }),
];

/** Every option meshpush implements. */
export const settingOptions: readonly SettingOption[] = [
  ...serverOptions,
  ...appOptions,
  ...limitOptions,
  ...clusterOptions,
  ...brokerOptions,
  ...tlsOptions,
  ...webhookOptions,
  ...otherOptions,
  ...debugConsoleOptions,
];
