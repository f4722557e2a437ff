// The parts meshpush's own packages and tools use beyond the embedding API: no semver promise.
// An application embeds the server with the names of `@meshpush/pusher-server` alone.

export { ClusterView } from './adapter/ClusterView.js';
export { ViewAdapter, type ViewAdapterOptions } from './adapter/ViewAdapter.js';
export { Membership, type MembershipChange } from './adapter/Membership.js';
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
export { PusherProtocol, type PusherProtocolOptions } from './protocol/PusherProtocol.js';
export { createProtocolCore, type ProtocolCore, type ProtocolCoreOptions } from './publish/createProtocolCore.js';
export { ChannelEventPublisher } from './publish/ChannelEventPublisher.js';
export { TopicFanout, type PublishToTopic } from './publish/TopicFanout.js';
export { channelKey, parseChannelKey } from './util/channelKey.js';
export {
  AppRateLimiter,
  type AppRateLimiterOptions,
  type AppRateLimitDecision,
  type RateLimitObserver,
} from './rate-limit/AppRateLimiter.js';
export type { EventPublisher, HttpApiContext } from './http/HttpApiContext.js';
export { registerHttpApi } from './http/registerHttpApi.js';
export { rendezvousWinner } from './webhooks/rendezvous.js';
export { renderText, type Labels, type MetricFamily, type MetricType, type Sample } from './metrics/exposition.js';
export { ServerMetrics } from './metrics/ServerMetrics.js';
