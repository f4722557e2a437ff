import type { Adapter } from '../adapter/Adapter.js';
import type { App } from '../app-manager/App.js';
import type { DebugTap } from '../debug/DebugTap.js';
import type { EventPublisher } from '../http/HttpApiContext.js';
import { isCacheChannel } from '../protocol/channels.js';
import * as frames from '../protocol/frames.js';

export interface ChannelEventPublisherOptions {
  /** How long a cache channel remembers its last event. */
  readonly channelCacheTtlSec: number;
  /** Wall clock, for the cache's expiry. */
  nowMs(): number;
  /** The debug console's producer: each published event is an `api_message` record. */
  readonly debug?: DebugTap | undefined;
}

/**
 * The HTTP API's way in: builds an event's frame once, remembers it for cache channels, and hands
 * it to the adapter, which delivers it here (the local fan-out) and to the nodes that want it.
 */
export class ChannelEventPublisher implements EventPublisher {
  readonly #adapter: Adapter;
  readonly #options: ChannelEventPublisherOptions;

  constructor(adapter: Adapter, options: ChannelEventPublisherOptions) {
    this.#adapter = adapter;
    this.#options = options;
  }

  publishEvent(app: App, channel: string, event: string, data: string, exceptSocketId?: string): void {
    const frame = frames.channelEvent(channel, event, data);
    if (isCacheChannel(channel)) {
      const expiresAtMs = this.#options.nowMs() + this.#options.channelCacheTtlSec * 1000;
      this.#adapter.setCachedEvent(app.id, channel, { frame, event, data, expiresAtMs });
    }
    this.#adapter.publish(app.id, channel, frame, exceptSocketId);
    const { debug } = this.#options;
    if (debug?.on) debug.record(app.id, { kind: 'api_message', channel, event, sizeBytes: Buffer.byteLength(data) });
  }

  terminateUserConnections(app: App, userId: string): void {
    this.#adapter.terminateUser(app.id, userId);
  }
}
