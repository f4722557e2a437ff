import type { App, WebhookConfig } from '../app-manager/App.js';
import type { WebhooksConfig } from '../config/ServerConfig.js';
import type { Logger } from '../util/Logger.js';
import { DropLog } from './DropLog.js';
import { buildWebhookRequest } from './signing.js';
import type { TimerHandle, Timers } from './Timers.js';
import type { WebhookEvent } from './WebhookEvent.js';
import type { WebhookDropReason, WebhookObserver, WebhookPoster, WebhookRequest } from './WebhookSender.js';

export interface WebhookQueueOptions {
  readonly config: WebhooksConfig;
  readonly post: WebhookPoster;
  readonly timers: Timers;
  /** Wall clock (ms since the epoch) for the body's `time_ms`. */
  readonly wallClockMs: () => number;
  readonly logger: Logger;
  readonly observer: WebhookObserver;
}

/** Events of one webhook target collected during the batching window. */
interface Batch {
  readonly app: App;
  readonly webhook: WebhookConfig;
  readonly events: WebhookEvent[];
  timer: TimerHandle | undefined;
}

/** One request and its retry state. */
interface Delivery {
  readonly appId: string;
  readonly request: WebhookRequest;
  readonly eventCount: number;
  /** The events' names and first channel, for the debug console. */
  readonly names: string;
  readonly channel: string;
  readonly firstAttemptMs: number;
  attempts: number;
  retryTimer: TimerHandle | undefined;
}

/**
 * Delivers webhook events: batches them per target (when enabled), sends at most
 * `maxConcurrentRequests` requests at once, retries failures with exponential backoff for
 * `retryForMs`, and holds at most `maxQueuedEvents` events in all (more are dropped, counted
 * and logged) so a dead receiver can never grow memory without bound.
 */
export class WebhookQueue {
  readonly #options: WebhookQueueOptions;
  readonly #batches = new Map<string, Batch>();
  readonly #ready: Delivery[] = [];
  readonly #waiting = new Set<Delivery>();
  readonly #idleWaiters: Array<() => void> = [];
  readonly #drops: DropLog;
  #queuedEvents = 0;
  #inFlight = 0;
  #draining = false;
  #abandoned = false;

  constructor(options: WebhookQueueOptions) {
    this.#options = options;
    this.#drops = new DropLog(options.logger, options.timers);
  }

  /** Events held now: batching, in flight or waiting to retry. */
  get queuedEvents(): number {
    return this.#queuedEvents;
  }

  /** Queues one event for one webhook; `targetKey` names the webhook (app id + index). */
  push(app: App, webhook: WebhookConfig, targetKey: string, event: WebhookEvent): void {
    if (this.#abandoned || this.#queuedEvents >= this.#options.config.maxQueuedEvents) {
      this.#drop(app.id, 1, this.#abandoned ? 'shutdown' : 'queue_full');
      return;
    }
    this.#queuedEvents++;
    const { batching, batchMaxEvents } = this.#options.config;
    if (!batching) {
      this.#enqueue(this.#delivery(app, webhook, [event]));
      return;
    }
    const batch = this.#batchFor(app, webhook, targetKey);
    batch.events.push(event);
    if (batch.events.length >= batchMaxEvents || this.#draining) this.#flushBatch(targetKey);
  }

  /**
   * Sends everything now (batches, and retries without waiting for their backoff) and resolves
   * once all is delivered or given up, or at `timeoutMs`, when what is left is dropped.
   */
  drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    for (const key of [...this.#batches.keys()]) this.#flushBatch(key);
    for (const delivery of this.#waiting) {
      this.#options.timers.clearTimeout(delivery.retryTimer);
      this.#ready.push(delivery);
    }
    this.#waiting.clear();
    this.#pump();
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.#options.timers.setTimeout(() => {
        this.#abandon();
        resolve();
      }, timeoutMs);
      this.#idleWaiters.push(() => {
        this.#options.timers.clearTimeout(timer);
        resolve();
      });
    });
  }

  #batchFor(app: App, webhook: WebhookConfig, targetKey: string): Batch {
    let batch = this.#batches.get(targetKey);
    if (!batch) {
      batch = { app, webhook, events: [], timer: undefined };
      this.#batches.set(targetKey, batch);
      const window = this.#options.config.batchingDurationMs;
      batch.timer = this.#options.timers.setTimeout(() => this.#flushBatch(targetKey), window);
    }
    return batch;
  }

  #flushBatch(targetKey: string): void {
    const batch = this.#batches.get(targetKey);
    if (!batch) return;
    this.#batches.delete(targetKey);
    this.#options.timers.clearTimeout(batch.timer);
    if (batch.events.length > 0) this.#enqueue(this.#delivery(batch.app, batch.webhook, batch.events));
  }

  #delivery(app: App, webhook: WebhookConfig, events: readonly WebhookEvent[]): Delivery {
    const { wallClockMs, timers, config } = this.#options;
    const request = buildWebhookRequest(app, webhook, events, wallClockMs(), config.timeoutMs);
    return {
      appId: app.id,
      request,
      eventCount: events.length,
      names: events.map((event) => event.name).join(','),
      channel: events[0]?.channel ?? '',
      firstAttemptMs: timers.nowMs(),
      attempts: 0,
      retryTimer: undefined,
    };
  }

  #enqueue(delivery: Delivery): void {
    this.#ready.push(delivery);
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight < this.#options.config.maxConcurrentRequests) {
      const delivery = this.#ready.shift();
      if (!delivery) break;
      this.#inFlight++;
      delivery.attempts++;
      this.#attempt(delivery);
    }
  }

  #attempt(delivery: Delivery): void {
    let sending: Promise<number>;
    try {
      sending = this.#options.post(delivery.request);
    } catch (error) {
      sending = Promise.reject(error);
    }
    void sending
      .then(
        (status) => this.#settled(delivery, status >= 200 && status < 300, `HTTP ${status}`),
        (error: unknown) => this.#settled(delivery, false, describe(error)),
      )
      .catch((error: unknown) => this.#options.logger.error('webhook bookkeeping failed', { error: describe(error) }));
  }

  #settled(delivery: Delivery, ok: boolean, outcome: string): void {
    this.#inFlight--;
    this.#options.observer.attempted?.(delivery.appId, delivery, outcome);
    if (ok) {
      this.#queuedEvents -= delivery.eventCount;
      this.#options.observer.delivered(delivery.appId, delivery.eventCount);
      this.#options.logger.debug('webhook delivered', {
        appId: delivery.appId,
        url: delivery.request.url,
        events: delivery.eventCount,
      });
    } else {
      this.#options.observer.failed(delivery.appId);
      this.#retryOrDrop(delivery, outcome);
    }
    this.#pump();
    this.#notifyIfIdle();
  }

  #retryOrDrop(delivery: Delivery, outcome: string): void {
    const { timers, config, logger } = this.#options;
    const waitMs = Math.min(config.retryMaxDelayMs, config.retryInitialDelayMs * 2 ** (delivery.attempts - 1));
    const fields = { appId: delivery.appId, url: delivery.request.url, attempt: delivery.attempts, outcome };
    if (this.#abandoned || timers.nowMs() + waitMs - delivery.firstAttemptMs > config.retryForMs) {
      this.#queuedEvents -= delivery.eventCount;
      this.#drop(delivery.appId, delivery.eventCount, this.#abandoned ? 'shutdown' : 'retries_exhausted');
      logger.warn('webhook failed; giving up', fields);
      return;
    }
    logger.warn('webhook failed; will retry', { ...fields, retryInMs: waitMs });
    this.#waiting.add(delivery);
    delivery.retryTimer = timers.setTimeout(() => {
      this.#waiting.delete(delivery);
      this.#enqueue(delivery);
    }, waitMs);
  }

  /** The drain deadline passed: drop what has not gone out; requests in flight finish on their own. */
  #abandon(): void {
    this.#abandoned = true;
    for (const key of [...this.#batches.keys()]) this.#flushBatch(key);
    const left = [...this.#ready.splice(0), ...this.#waiting];
    for (const delivery of this.#waiting) this.#options.timers.clearTimeout(delivery.retryTimer);
    this.#waiting.clear();
    for (const delivery of left) {
      this.#queuedEvents -= delivery.eventCount;
      this.#drop(delivery.appId, delivery.eventCount, 'shutdown');
    }
    this.#drops.flush();
  }

  #drop(appId: string, events: number, reason: WebhookDropReason): void {
    this.#options.observer.dropped(appId, events, reason);
    this.#drops.record(events, reason);
  }

  #isIdle(): boolean {
    return this.#ready.length === 0 && this.#waiting.size === 0 && this.#inFlight === 0 && this.#batches.size === 0;
  }

  #notifyIfIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
