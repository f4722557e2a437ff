// Server
export { createServer } from './PusherServer.js';
export type { MeshpushServer, ServerDeps } from './ServerApi.js';

// Configuration
export {
  defaultAppConfig,
  defaultLimits,
  defaultServerConfig,
  type AdapterDriver,
  type ClusterConfig,
  type MetricsConfig,
  type ServerConfig,
  type ServerLimits,
} from './config/ServerConfig.js';

// Apps
export { resolveApp, type App, type AppConfig, type WebhookConfig } from './app-manager/App.js';
export type { AppManager } from './app-manager/AppManager.js';
export { ArrayAppManager } from './app-manager/ArrayAppManager.js';

// Adapters
export type { Adapter, AdapterListener, AdapterStatus, CachedEvent, LocalFanout, PresenceMember } from './adapter/Adapter.js';
export { ClusterAdapter, type ClusterAdapterOptions } from './adapter/cluster/ClusterAdapter.js';
export { createMeshAdapter } from './adapter/cluster/createMeshAdapter.js';
export { ClusterView } from './adapter/ClusterView.js';
export { LocalAdapter, type LocalAdapterOptions } from './adapter/LocalAdapter.js';
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

// HTTP API
export type { EventPublisher, HttpApiContext } from './http/HttpApiContext.js';
export { registerHttpApi } from './http/registerHttpApi.js';

// Logging
export { createConsoleLogger, silentLogger, type ConsoleLoggerOptions, type LogFields, type Logger, type LogLevel } from './util/Logger.js';
