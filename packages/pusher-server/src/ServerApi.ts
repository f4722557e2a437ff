import type { RateLimiter } from '@meshpush/cluster-ratelimiter';
import type { Adapter } from './adapter/Adapter.js';
import type { AppManager } from './app-manager/AppManager.js';
import type { ServerConfig } from './config/ServerConfig.js';
import type { RateLimitCount } from './rate-limit/AppRateLimiter.js';
import type { Logger } from './util/Logger.js';
import type { CertificateSummary } from './uws/sslApp.js';
import type { WebhookPoster } from './webhooks/WebhookSender.js';

/** Drivers and hooks a host application may supply; each has a local default. */
export interface ServerDeps {
  /** @default silentLogger */
  logger?: Logger;
  /** @default a LocalAdapter (one process) */
  adapter?: Adapter;
  /** Closed by `stop()` (its `close`, when it has one). @default an ArrayAppManager over `config.apps` */
  appManager?: AppManager;
  /**
   * Buckets of the per-app backend event and read limits; a `ClusterRateLimiter` makes them
   * global across the cluster. Closed by `stop()` (before the adapter). Client events are
   * limited per connection, always in this process. @default a LocalRateLimiter
   */
  rateLimiter?: RateLimiter;
  /** Wall clock, injectable for tests. @default Date.now */
  nowMs?: () => number;
  /** Sends one webhook request (HTTP status back). @default fetchPoster (Node's fetch) */
  webhookPoster?: WebhookPoster;
}

/** A running (or ready to run) meshpush server. */
export interface MeshpushServer {
  readonly config: ServerConfig;
  /** Binds the WebSocket/HTTP port and starts the adapter. Rejects when the port is taken. */
  start(): Promise<void>;
  /**
   * Drains gracefully: `/ready` turns 503, new connections are refused, open sockets are closed
   * with 4200 (clients reconnect elsewhere at once), the adapter leaves the cluster.
   */
  stop(): Promise<void>;
  /** The bound WebSocket/HTTP port (useful with `port: 0`); 0 before `start()`. */
  readonly port: number;
  /** The bound metrics port; 0 when metrics are off or before `start()`. */
  readonly metricsPort: number;
  /** Open WebSocket connections on this process. */
  connectionCount(): number;
  /** Points admitted and refused by the per-app rate limits on this process (limited apps only). */
  rateLimitCounts(): RateLimitCount[];
  /**
   * Re-reads `config.ssl`'s files for new connections (certificate rotation); open connections
   * keep theirs. Rejects, keeping the current certificate, when the files are not usable.
   */
  reloadTls(): Promise<CertificateSummary>;
}
