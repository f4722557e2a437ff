import type { Adapter } from '../adapter/Adapter.js';
import type { DebugTap } from '../debug/DebugTap.js';
import type { ServerConfig } from '../config/ServerConfig.js';
import type { AppRateLimiter } from '../rate-limit/AppRateLimiter.js';
import type { Logger } from '../util/Logger.js';
import type { WebhookHooks } from '../webhooks/WebhookSender.js';
import type { ConnectionRegistry } from './ConnectionRegistry.js';

/** What the message handlers share. */
export interface ProtocolContext {
  readonly adapter: Adapter;
  readonly registry: ConnectionRegistry;
  readonly config: ServerConfig;
  readonly logger: Logger;
  /** Told about client events and cache misses (and, via the protocol, adapter transitions). */
  readonly webhooks?: WebhookHooks;
  /** The client event limit (4301); absent = unlimited. */
  readonly rateLimiter?: AppRateLimiter;
  /** The debug console's producer; hooks record only while `debug.on`. */
  readonly debug?: DebugTap;
  nowMs(): number;
}

/** A parsed client message: `event` is known to be a string, the rest is unchecked input. */
export interface ClientMessage {
  readonly event: string;
  readonly channel?: unknown;
  readonly data?: unknown;
}

/** Reads a property of unchecked input without trusting its shape. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
