import type { Adapter } from '../adapter/Adapter.js';
import type { ServerConfig } from '../config/ServerConfig.js';
import type { Logger } from '../util/Logger.js';
import type { ConnectionRegistry } from './ConnectionRegistry.js';

/** What the message handlers share. */
export interface ProtocolContext {
  readonly adapter: Adapter;
  readonly registry: ConnectionRegistry;
  readonly config: ServerConfig;
  readonly logger: Logger;
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
