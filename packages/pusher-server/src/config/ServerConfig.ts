import type { AppConfig } from '../app-manager/App.js';

/** Which driver carries channel membership and messages between processes. */
export type AdapterDriver = 'local' | 'cluster' | 'nats' | 'redis';

/**
 * Server-wide limits. Each app may override any of them (see `AppConfig`).
 * Names and defaults follow soketi, so an existing soketi configuration keeps its meaning.
 */
export interface ServerLimits {
  /** Longest accepted channel name. @default 200 */
  maxChannelNameLength: number;
  /**
   * Channels one connection may be subscribed to at once. Pusher sets no limit, so the default
   * is generous enough for dashboards with hundreds of channels, while one socket can no longer
   * grow the server's memory without bound. @default 1000
   */
  maxChannelsPerConnection: number;
  /** Channels per `POST /events` trigger. @default 100 */
  maxEventChannelsAtOnce: number;
  /** Longest accepted event name. @default 200 */
  maxEventNameLength: number;
  /** Largest event `data`, in KiB (Pusher's own limit is 10). @default 100 */
  maxEventPayloadKb: number;
  /** Events per `POST /batch_events` call. @default 10 */
  maxEventBatchSize: number;
  /** Members per presence channel. @default 100 */
  maxPresenceMembersPerChannel: number;
  /** Largest presence `user_info`, in KiB. @default 2 */
  maxPresenceMemberSizeKb: number;
}

/** Settings of the mesh, read by the cluster adapter. */
export interface ClusterConfig {
  /** Address the mesh listens on. @default '0.0.0.0' */
  host: string;
  /** Well-known rendezvous port shared by every node of one cluster. @default 11002 */
  port: number;
  /** `host:port` seeds for nodes on other hosts. @default [] */
  seeds: string[];
  /** Shared secret proven at the mesh handshake. @default undefined (open mesh) */
  secret: string | undefined;
  /** Cluster name checked at the handshake (soketi's CLUSTER_PREFIX). @default '' */
  name: string;
  /** Heartbeat interval. @default 500 */
  checkIntervalMs: number;
  /** Silence after which a peer is dead. @default 2000 */
  nodeTimeoutMs: number;
  /** Wait before survivors race for the rendezvous port. @default 2000 */
  masterTimeoutMs: number;
  /** Timeout of the few cross-node requests left. @default 5000 */
  requestTimeoutMs: number;
  /**
   * Mutual TLS on every mesh route: PEM text of this node's key and certificate and of the CA
   * that signs every node's certificate. @default undefined (plain TCP)
   */
  tls?: { key: string; cert: string; ca: string } | undefined;
}

/**
 * TLS for the WebSocket and HTTP API listener (uWS `SSLApp`, which reads the files itself).
 * Empty strings mean "not set"; with `certFile` and `keyFile` the listener speaks TLS only.
 */
export interface SslConfig {
  /** PEM certificate (chain after the leaf). @default '' */
  certFile: string;
  /** PEM private key. @default '' */
  keyFile: string;
  /** Passphrase of an encrypted key. @default '' */
  passphrase: string;
  /** PEM CA file handed to uWS as `ca_file_name`: clients that present a certificate must chain to it. @default '' */
  caFile: string;
}

/** Where and how the Prometheus `/metrics` listener runs (its own port, plain HTTP). */
export interface MetricsConfig {
  /** Serve Prometheus metrics. @default false */
  enabled: boolean;
  /** @default '0.0.0.0' */
  host: string;
  /** @default 9601 */
  port: number;
  /** Metric name prefix. @default 'meshpush_' */
  prefix: string;
}

/**
 * The live debug console on the metrics listener (never the public port). Off by default: it
 * shows every app's traffic to whoever holds the token.
 */
export interface DebugConsoleConfig {
  /** Serve the console under `/console` on the metrics listener. @default false */
  enabled: boolean;
  /** The admin token the console asks for; required when enabled. @default '' */
  token: string;
  /** Records sent to one browser per second; the rest are counted as dropped. @default 200 */
  maxRecordsPerSec: number;
}

/** How webhooks are delayed, batched, retried and bounded (the targets are per app). */
export interface WebhooksConfig {
  /** Send the events of one webhook that occur within `batchingDurationMs` in one request. @default false */
  batching: boolean;
  /** The batching window. @default 50 */
  batchingDurationMs: number;
  /** Most events in one batched request; a full batch goes out at once. @default 100 */
  batchMaxEvents: number;
  /**
   * `channel_vacated` and `member_removed` wait this long and are not sent when the channel is
   * occupied again, or the user is back, within it (Pusher: "up to three seconds"). 0 = no delay.
   * @default 3000
   */
  leaveDelayMs: number;
  /** Timeout of one request. @default 10000 */
  timeoutMs: number;
  /** First retry of a failed request after this long; the wait doubles after each failure. @default 1000 */
  retryInitialDelayMs: number;
  /** Longest wait between two attempts. @default 60000 */
  retryMaxDelayMs: number;
  /** A request still failing this long after its first attempt is dropped (Pusher: 5 minutes). @default 300000 */
  retryForMs: number;
  /**
   * Events held at most: waiting for their batch, in flight or waiting to retry. Beyond it new
   * events are dropped, counted and logged. The leave delay holds at most as many. @default 10000
   */
  maxQueuedEvents: number;
  /** Requests in flight at once, all webhooks together. @default 32 */
  maxConcurrentRequests: number;
}

/** The complete, resolved configuration of one server process. */
export interface ServerConfig {
  /** Bind address of the WebSocket and HTTP listener. @default '0.0.0.0' */
  host: string;
  /** WebSocket + HTTP API port; 0 picks a free port. @default 6001 */
  port: number;
  /** Prefix of every route, e.g. '/pusher'. @default '' */
  pathPrefix: string;
  /** Verbose protocol tracing. @default false */
  debug: boolean;
  /** Time given to sockets and queues to drain on shutdown. @default 3000 */
  shutdownGracePeriodMs: number;
  /** Apps that require sign-in close sockets that have not signed in after this long (4009). @default 30000 */
  userAuthenticationTimeoutMs: number;
  /**
   * Seconds of silence after which a client should ping, advertised in `connection_established`.
   * The server pings a silent client after this long and closes it with 4201 when
   * no answer came within `pongTimeoutMs`. @default 30
   */
  activityTimeoutSec: number;
  /** Grace for the answer to a server ping. @default 30000 */
  pongTimeoutMs: number;
  /** Bytes buffered for one slow client before it is disconnected. @default 1048576 */
  maxBackpressureBytes: number;
  /** `/accept-traffic` answers 503 above this share of memory in use. @default 85 */
  acceptTrafficMemoryThresholdPercent: number;
  /** Value of Access-Control-Allow-Origin on the HTTP API. @default '*' */
  corsAllowOrigin: string;
  /** Time to live of the last event of a cache channel. @default 3600 */
  channelCacheTtlSec: number;
  limits: ServerLimits;
  /**
   * Which adapter the server runs with. Anything but `local` is built by the caller and passed
   * as `deps.adapter` (the `meshpush` binary composes the mesh, NATS or Redis transport).
   */
  adapter: { driver: AdapterDriver };
  cluster: ClusterConfig;
  /** TLS of the WebSocket/HTTP listener; the metrics port stays plain. */
  ssl: SslConfig;
  metrics: MetricsConfig;
  debugConsole: DebugConsoleConfig;
  webhooks: WebhooksConfig;
  /** Apps served (the array app manager). @default one app `app-id` / `app-key` / `app-secret` */
  apps: AppConfig[];
}

/** The server-wide limits by default (soketi's), frozen: copy it to change a field. */
export const defaultLimits: Readonly<ServerLimits> = Object.freeze({
  maxChannelNameLength: 200,
  maxChannelsPerConnection: 1000,
  maxEventChannelsAtOnce: 100,
  maxEventNameLength: 200,
  maxEventPayloadKb: 100,
  maxEventBatchSize: 10,
  maxPresenceMembersPerChannel: 100,
  maxPresenceMemberSizeKb: 2,
});

/** The app a server runs with no configuration at all. */
export function defaultAppConfig(): AppConfig {
  return { id: 'app-id', key: 'app-key', secret: 'app-secret' };
}

/** Every setting at its default: what `meshpush start` runs with no flags or environment. */
export function defaultServerConfig(): ServerConfig {
  return {
    host: '0.0.0.0',
    port: 6001,
    pathPrefix: '',
    debug: false,
    shutdownGracePeriodMs: 3000,
    userAuthenticationTimeoutMs: 30_000,
    activityTimeoutSec: 30,
    pongTimeoutMs: 30_000,
    maxBackpressureBytes: 1024 * 1024,
    acceptTrafficMemoryThresholdPercent: 85,
    corsAllowOrigin: '*',
    channelCacheTtlSec: 3600,
    limits: { ...defaultLimits },
    adapter: { driver: 'local' },
    cluster: {
      host: '0.0.0.0',
      port: 11002,
      seeds: [],
      secret: undefined,
      name: '',
      checkIntervalMs: 500,
      nodeTimeoutMs: 2000,
      masterTimeoutMs: 2000,
      requestTimeoutMs: 5000,
    },
    ssl: { certFile: '', keyFile: '', passphrase: '', caFile: '' },
    metrics: { enabled: false, host: '0.0.0.0', port: 9601, prefix: 'meshpush_' },
    debugConsole: { enabled: false, token: '', maxRecordsPerSec: 200 },
    webhooks: defaultWebhooksConfig(),
    apps: [defaultAppConfig()],
  };
}

/** A fresh copy of the default webhook delivery settings. */
export function defaultWebhooksConfig(): WebhooksConfig {
  return {
    batching: false,
    batchingDurationMs: 50,
    batchMaxEvents: 100,
    leaveDelayMs: 3000,
    timeoutMs: 10_000,
    retryInitialDelayMs: 1000,
    retryMaxDelayMs: 60_000,
    retryForMs: 300_000,
    maxQueuedEvents: 10_000,
    maxConcurrentRequests: 32,
  };
}
