import type { PeerChange } from '../adapter/Adapter.js';
import type { App } from '../app-manager/App.js';

/** One webhook request, signed and ready to go. */
export interface WebhookRequest {
  readonly url: string;
  /** Includes `Content-Type: application/json`, `X-Pusher-Key` and `X-Pusher-Signature`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw JSON body `{"time_ms":…,"events":[…]}` the signature covers. */
  readonly body: string;
  readonly timeoutMs: number;
}

/**
 * Sends one request; resolves with the HTTP status (2xx = delivered), rejects on a network error
 * or a timeout. The default is `fetchPoster`; inject another to send through a proxy or a queue.
 */
export type WebhookPoster = (request: WebhookRequest) => Promise<number>;

/** Why webhook events were given up. */
export type WebhookDropReason = 'queue_full' | 'retries_exhausted' | 'shutdown';

/** Hears how deliveries went (the metrics implement it). Every method must be cheap and not throw. */
export interface WebhookObserver {
  /** A request was answered with 2xx. */
  delivered(appId: string, events: number): void;
  /** One attempt failed (non-2xx, network error or timeout); it may be retried. */
  failed(appId: string): void;
  dropped(appId: string, events: number, reason: WebhookDropReason): void;
  /** One attempt settled with `outcome` (`HTTP 200`, a network error); for the debug console. */
  attempted?(appId: string, delivery: WebhookAttempt, outcome: string): void;
}

/** What the debug console shows of a webhook request. */
export interface WebhookAttempt {
  /** The events' names, comma-separated. */
  readonly names: string;
  /** The first event's channel. */
  readonly channel: string;
  /** From 1. */
  readonly attempts: number;
}

export const silentWebhookObserver: WebhookObserver = Object.freeze({
  delivered: () => undefined,
  failed: () => undefined,
  dropped: () => undefined,
});

/**
 * What the protocol core reports to the webhooks. The adapter transitions (occupied, vacated,
 * members, counts) arrive on every node of a cluster; the implementation decides which node sends.
 * Client events and cache misses happen on the node of the socket, which sends them.
 */
export interface WebhookHooks {
  channelOccupied(appId: string, channel: string): void;
  channelVacated(appId: string, channel: string): void;
  memberAdded(appId: string, channel: string, userId: string): void;
  memberRemoved(appId: string, channel: string, userId: string): void;
  subscriptionCountChanged(appId: string, channel: string, count: number): void;
  clientEvent(app: App, channel: string, event: string, data: unknown, socketId: string, userId?: string): void;
  cacheMiss(app: App, channel: string): void;
  /** A peer's state was applied or dropped (after the transitions it caused). */
  peerStateChanged(change: PeerChange): void;
}
