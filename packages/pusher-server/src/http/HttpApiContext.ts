import type { Adapter } from '../adapter/Adapter.js';
import type { App } from '../app-manager/App.js';
import type { AppManager } from '../app-manager/AppManager.js';
import type { ServerConfig } from '../config/ServerConfig.js';
import type { ServerMetrics } from '../metrics/ServerMetrics.js';
import type { AppRateLimiter } from '../rate-limit/AppRateLimiter.js';
import type { Logger } from '../util/Logger.js';

/** Sends events to channels: the one path shared by the HTTP API and client events. */
export interface EventPublisher {
  /**
   * Publishes `event` with `data` (already a string, relayed untouched) to a channel on every
   * node, except the socket `exceptSocketId`; remembers it for cache channels.
   */
  publishEvent(app: App, channel: string, event: string, data: string, exceptSocketId?: string): void;
  /** Closes every connection signed in as `userId`, on every node. */
  terminateUserConnections(app: App, userId: string): void;
}

/** Everything the HTTP API needs from the rest of the server. */
export interface HttpApiContext {
  readonly config: ServerConfig;
  readonly apps: AppManager;
  readonly adapter: Adapter;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  /** Per-app HTTP counters, when metrics are on. */
  readonly metrics?: ServerMetrics;
  /** The per-app limits (429); absent = unlimited. */
  readonly rateLimiter?: AppRateLimiter;
  /** True once shutdown began: `/ready` answers 503 and API answers close their connection. */
  isDraining(): boolean;
  /**
   * True once this node no longer carries events to the cluster (its adapter is closing): the API
   * then answers 503, so that no event is accepted that nobody would receive.
   */
  hasLeftCluster(): boolean;
  /** Wall clock in ms; injected so signature-window tests need no real waiting. */
  nowMs(): number;
}
