import type { AdapterStatus } from '../adapter/Adapter.js';
import type { BackpressureStats } from '../uws/UwsSocket.js';
import type { WebhookDropReason, WebhookObserver } from '../webhooks/WebhookSender.js';
import { AppCounters, appFamilies } from './AppCounters.js';
import { renderJson, renderText, single, type MetricFamily } from './exposition.js';
import type { CertificateSummary } from '../uws/sslApp.js';
import { appManagerFamilies } from './appManagerMetrics.js';
import type { AppManagerStats } from '../app-manager/AppStore.js';
import { meshFamilies } from './meshMetrics.js';
import { tlsFamilies } from './tlsMetrics.js';
import { ProcessMetrics } from './processMetrics.js';

/** Figures the metrics read from the rest of the server when scraped. */
export interface MetricsSources {
  /** The bound WebSocket/HTTP port: the `port` label. */
  port(): number;
  adapterStatus(): AdapterStatus;
  /** The certificate of the WebSocket/HTTP listener, when it speaks TLS. */
  clientCertificate?(): CertificateSummary | undefined;
  webhookQueue(): { readonly queuedEvents: number; readonly delayedEvents: number } | undefined;
  readonly backpressure: BackpressureStats;
  /** The app manager's counters, when it keeps any (database drivers). */
  appManager?(): AppManagerStats | undefined;
}

/**
 * The server's Prometheus metrics: per-app counters bumped on the hot path, plus figures read
 * at scrape time (process, webhooks queue, mesh peers). Names carry `prefix`.
 */
export class ServerMetrics implements WebhookObserver {
  readonly prefix: string;
  readonly #apps = new Map<string, AppCounters>();
  readonly #process = new ProcessMetrics();
  #sources: MetricsSources | undefined;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** The counters of one app (created on first use; apps come from configuration, so few). */
  forApp(appId: string): AppCounters {
    let counters = this.#apps.get(appId);
    if (!counters) this.#apps.set(appId, (counters = new AppCounters()));
    return counters;
  }

  /** Where scrape-time figures come from; set once the server has started. */
  attach(sources: MetricsSources): void {
    this.#sources = sources;
  }

  /** A request or client event refused by the rate limit named `limit`. */
  rateLimited(appId: string, limit: string): void {
    const { rateLimited } = this.forApp(appId);
    rateLimited.set(limit, (rateLimited.get(limit) ?? 0) + 1);
  }

  delivered(appId: string, events: number): void {
    const counters = this.forApp(appId);
    counters.webhookRequestsSent++;
    counters.webhookEventsSent += events;
  }

  failed(appId: string): void {
    this.forApp(appId).webhookFailures++;
  }

  /** Webhook events of an app dropped without delivery, by reason (queue full, retries exhausted…). */
  dropped(appId: string, events: number, reason: WebhookDropReason): void {
    this.forApp(appId).webhookDrops[reason] += events;
  }

  /** Every metric family at this instant: per-app counters, server and adapter gauges, process figures. */
  families(): MetricFamily[] {
    const sources = this.#sources;
    const families = appFamilies(this.#apps, String(sources?.port() ?? 0));
    if (sources) families.push(...this.#serverFamilies(sources));
    families.push(...this.#process.collect());
    return families;
  }

  /** The Prometheus text exposition (format 0.0.4) of {@link ServerMetrics.families}. */
  text(): string {
    return renderText(this.families(), this.prefix);
  }

  /** The same figures as JSON, one entry per sample. */
  json(): unknown[] {
    return renderJson(this.families(), this.prefix);
  }

  /** Stops the process figures' sampling timer. */
  close(): void {
    this.#process.close();
  }

  #serverFamilies(sources: MetricsSources): MetricFamily[] {
    const queue = sources.webhookQueue();
    const families = [
      single(
        'ws_backpressure_dropped_frames_total',
        'counter',
        'Frames uWS dropped for clients over the backpressure limit.',
        sources.backpressure.droppedFrames,
      ),
      single(
        'webhook_queued_events',
        'gauge',
        'Webhook events waiting for their batch, in flight or waiting to retry.',
        queue?.queuedEvents ?? 0,
      ),
      single(
        'webhook_delayed_events',
        'gauge',
        'channel_vacated / member_removed events inside their delay.',
        queue?.delayedEvents ?? 0,
      ),
    ];
    const status = sources.adapterStatus();
    return [
      ...families,
      ...meshFamilies(status),
      ...tlsFamilies(sources.clientCertificate?.(), status),
      ...appManagerFamilies(sources.appManager?.()),
    ];
  }
}
