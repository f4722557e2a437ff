import type { ServerLimits } from '../config/ServerConfig.js';

/** One webhook target of an app (soketi's shape; delivered by the webhooks feature). */
export interface WebhookConfig {
  url: string;
  /** Event names to send; all when absent. */
  event_types?: string[];
  filter?: { channel_name_starts_with?: string; channel_name_ends_with?: string };
  headers?: Record<string, string>;
}

/**
 * An app as configured (config file, environment). Field names are soketi's, so a soketi
 * `appManager.array.apps` entry can be used unchanged. Absent fields take the defaults.
 */
export interface AppConfig {
  id: string;
  key: string;
  secret: string;
  /** A disabled app refuses connections with 4003 and HTTP calls with 403. @default true */
  enabled?: boolean;
  /** Allow `client-` events. @default false */
  enableClientMessages?: boolean;
  /** Require `pusher:signin` (or an authorized subscription) within the timeout. @default false */
  enableUserAuthentication?: boolean;
  /** Send `pusher_internal:subscription_count` to subscribers. @default false */
  enableSubscriptionCount?: boolean;
  /** Concurrent connections; -1 = unlimited. Over it: close 4004. @default -1 */
  maxConnections?: number;
  /** HTTP publishes per second; -1 = unlimited. @default -1 */
  maxBackendEventsPerSecond?: number;
  /** Client events per second; -1 = unlimited. @default -1 */
  maxClientEventsPerSecond?: number;
  /** HTTP reads per second; -1 = unlimited. @default -1 */
  maxReadRequestsPerSecond?: number;
  webhooks?: WebhookConfig[];
  maxPresenceMembersPerChannel?: number;
  maxPresenceMemberSizeInKb?: number;
  maxChannelNameLength?: number;
  maxChannelsPerConnection?: number;
  maxEventChannelsAtOnce?: number;
  maxEventNameLength?: number;
  maxEventPayloadInKb?: number;
  maxEventBatchSize?: number;
}

/** An app with every default and server-wide limit resolved: what the server works with. */
export interface App {
  readonly id: string;
  readonly key: string;
  readonly secret: string;
  readonly enabled: boolean;
  readonly enableClientMessages: boolean;
  readonly enableUserAuthentication: boolean;
  readonly enableSubscriptionCount: boolean;
  readonly maxConnections: number;
  readonly maxBackendEventsPerSecond: number;
  readonly maxClientEventsPerSecond: number;
  readonly maxReadRequestsPerSecond: number;
  readonly webhooks: readonly WebhookConfig[];
  readonly limits: Readonly<ServerLimits>;
}

/** Merges an app's own settings over the server-wide limits. */
export function resolveApp(config: AppConfig, serverLimits: ServerLimits): App {
  const limits: ServerLimits = {
    maxChannelNameLength: config.maxChannelNameLength ?? serverLimits.maxChannelNameLength,
    maxChannelsPerConnection: config.maxChannelsPerConnection ?? serverLimits.maxChannelsPerConnection,
    maxEventChannelsAtOnce: config.maxEventChannelsAtOnce ?? serverLimits.maxEventChannelsAtOnce,
    maxEventNameLength: config.maxEventNameLength ?? serverLimits.maxEventNameLength,
    maxEventPayloadKb: config.maxEventPayloadInKb ?? serverLimits.maxEventPayloadKb,
    maxEventBatchSize: config.maxEventBatchSize ?? serverLimits.maxEventBatchSize,
    maxPresenceMembersPerChannel: config.maxPresenceMembersPerChannel ?? serverLimits.maxPresenceMembersPerChannel,
    maxPresenceMemberSizeKb: config.maxPresenceMemberSizeInKb ?? serverLimits.maxPresenceMemberSizeKb,
  };
  return Object.freeze({
    id: String(config.id),
    key: String(config.key),
    secret: String(config.secret),
    enabled: config.enabled ?? true,
    enableClientMessages: config.enableClientMessages ?? false,
    enableUserAuthentication: config.enableUserAuthentication ?? false,
    enableSubscriptionCount: config.enableSubscriptionCount ?? false,
    maxConnections: config.maxConnections ?? -1,
    maxBackendEventsPerSecond: config.maxBackendEventsPerSecond ?? -1,
    maxClientEventsPerSecond: config.maxClientEventsPerSecond ?? -1,
    maxReadRequestsPerSecond: config.maxReadRequestsPerSecond ?? -1,
    webhooks: Object.freeze([...(config.webhooks ?? [])]),
    limits: Object.freeze(limits),
  });
}
