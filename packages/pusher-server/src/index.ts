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
export { checkSslFiles, SslFileError, type CertificateSummary, type SslLabels } from './uws/sslApp.js';
export {
  resolveServerConfig,
  type ServerConfigGroupInput,
  type ServerConfigInput,
} from './config/resolveServerConfig.js';

// uWebSockets.js: which native build loaded
export { NativeUwsError, nativeUwsProvider } from './uws/nativeUws.js';
export type { UwsProvider } from './uws/uwsProviders.js';

// Apps
export { resolveApp, type App, type AppConfig, type WebhookConfig } from './app-manager/App.js';
export type { AppManager } from './app-manager/AppManager.js';
export { ArrayAppManager } from './app-manager/ArrayAppManager.js';

// Adapters
export type {
  Adapter,
  AdapterListener,
  AdapterStatus,
  CachedEvent,
  LocalFanout,
  PeerChange,
  PresenceMember,
} from './adapter/Adapter.js';
export { ClusterAdapter, ClusterStartError, type ClusterAdapterOptions } from './adapter/cluster/ClusterAdapter.js';
export { createMeshAdapter, createMeshCluster, type MeshCluster } from './adapter/cluster/createMeshAdapter.js';
export { ClusterView } from './adapter/ClusterView.js';
export { LocalAdapter, type LocalAdapterOptions } from './adapter/LocalAdapter.js';

export { ViewAdapter, type ViewAdapterOptions } from './adapter/ViewAdapter.js';
export { Membership, type MembershipChange } from './adapter/Membership.js';

// Protocol
export {
  AppDisabled,
  AppNotFound,
  ErrorCodes,
  OverCapacity,
  OverConnectionQuota,
  PathNotFound,
  PongNotReceived,
  ReconnectImmediately,
  Unauthorized,
  UnsupportedProtocol,
  type CloseCode,
} from './protocol/CloseCodes.js';
export { channelNameProblem, channelType, isCacheChannel, type ChannelType } from './protocol/channels.js';
export { constantTimeEqual, hmacSha256Hex, verifyAuthToken } from './protocol/signatures.js';

// Rate limits
export {
  AppRateLimiter,
  type AppRateLimiterOptions,
  type AppRateLimitDecision,
  type RateLimitCount,
  type RateLimitKind,
  type RateLimitObserver,
} from './rate-limit/AppRateLimiter.js';

// HTTP API
export type { EventPublisher, HttpApiContext } from './http/HttpApiContext.js';
export { registerHttpApi } from './http/registerHttpApi.js';

// Webhooks
export { fetchPoster } from './webhooks/fetchPoster.js';
export { rendezvousWinner } from './webhooks/rendezvous.js';
export {
  WEBHOOK_EVENT_NAMES,
  type WebhookBody,
  type WebhookEvent,
  type WebhookEventName,
} from './webhooks/WebhookEvent.js';
export type { WebhookDropReason, WebhookPoster, WebhookRequest } from './webhooks/WebhookSender.js';

// Metrics
export { renderText, type Labels, type MetricFamily, type MetricType, type Sample } from './metrics/exposition.js';
export { ServerMetrics } from './metrics/ServerMetrics.js';

// Logging
export {
  createConsoleLogger,
  silentLogger,
  type ConsoleLoggerOptions,
  type LogFields,
  type Logger,
  type LogLevel,
} from './util/Logger.js';
