// What an application that embeds the server needs, by name. Building blocks that other parts of
// meshpush use (the cluster view, the HTTP API's parts, the metrics renderer…) are in
// `@meshpush/pusher-server/internal`, which follows no semver promise.

// Server
export { createServer } from './PusherServer.js';
export type { MeshpushServer, ServerDeps } from './ServerApi.js';

// Configuration
export {
  defaultAppConfig,
  defaultLimits,
  defaultServerConfig,
  defaultWebhooksConfig,
  type AdapterDriver,
  type ClusterConfig,
  type MetricsConfig,
  type ServerConfig,
  type ServerLimits,
  type SslConfig,
  type WebhooksConfig,
} from './config/ServerConfig.js';
export {
  resolveServerConfig,
  type ServerConfigGroupInput,
  type ServerConfigInput,
} from './config/resolveServerConfig.js';
export { checkSslFiles, SslFileError, type CertificateSummary, type SslLabels } from './uws/sslApp.js';

// uWebSockets.js: which native build loaded
export { NativeUwsError, nativeUwsProvider } from './uws/nativeUws.js';
export type { UwsProvider } from './uws/uwsProviders.js';

// Apps
export { resolveApp, type App, type AppConfig, type WebhookConfig } from './app-manager/App.js';
export type { AppManager } from './app-manager/AppManager.js';
export { ArrayAppManager } from './app-manager/ArrayAppManager.js';
export { CachingAppManager, type CachingAppManagerOptions } from './app-manager/CachingAppManager.js';
export type { AppIdentity, AppManagerStats, AppStore } from './app-manager/AppStore.js';

// Adapters: the interface a driver implements, the local one, and the cluster one over any transport
export type {
  Adapter,
  AdapterListener,
  AdapterStatus,
  CachedEvent,
  LocalFanout,
  PeerChange,
  PresenceMember,
} from './adapter/Adapter.js';
export { LocalAdapter, type LocalAdapterOptions } from './adapter/LocalAdapter.js';
export { ClusterAdapter, ClusterStartError, type ClusterAdapterOptions } from './adapter/cluster/ClusterAdapter.js';
export { createMeshAdapter, createMeshCluster, type MeshCluster } from './adapter/cluster/createMeshAdapter.js';

// Rate limits: what `server.rateLimitCounts()` reports
export type { RateLimitCount, RateLimitKind } from './rate-limit/AppRateLimiter.js';

// Webhooks: a poster of one's own (`deps.webhookPoster`)
export { fetchPoster } from './webhooks/fetchPoster.js';
export type { WebhookDropReason, WebhookPoster, WebhookRequest } from './webhooks/WebhookSender.js';
export {
  WEBHOOK_EVENT_NAMES,
  type WebhookBody,
  type WebhookEvent,
  type WebhookEventName,
} from './webhooks/WebhookEvent.js';

// Logging
export {
  createConsoleLogger,
  silentLogger,
  type ConsoleLoggerOptions,
  type LogFields,
  type Logger,
  type LogLevel,
} from './util/Logger.js';
