import type { AppManager } from '../app-manager/AppManager.js';
import type { ServerConfig } from '../config/ServerConfig.js';
import type { Logger } from '../util/Logger.js';
import { fetchPoster } from './fetchPoster.js';
import { systemTimers, type Timers } from './Timers.js';
import { Webhooks, type WebhookCluster } from './Webhooks.js';
import { silentWebhookObserver, type WebhookObserver, type WebhookPoster } from './WebhookSender.js';

export interface CreateWebhooksOptions {
  readonly config: ServerConfig;
  readonly cluster: WebhookCluster;
  readonly apps: Pick<AppManager, 'findById'>;
  readonly logger: Logger;
  readonly wallClockMs: () => number;
  /** @default fetchPoster */
  readonly post?: WebhookPoster | undefined;
  /** @default systemTimers */
  readonly timers?: Timers | undefined;
  /** @default silentWebhookObserver */
  readonly observer?: WebhookObserver | undefined;
}

/** The server's webhooks with their defaults filled in. */
export function createWebhooks(options: CreateWebhooksOptions): Webhooks {
  return new Webhooks({
    cluster: options.cluster,
    apps: options.apps,
    config: options.config.webhooks,
    post: options.post ?? fetchPoster,
    timers: options.timers ?? systemTimers,
    wallClockMs: options.wallClockMs,
    logger: options.logger,
    observer: options.observer ?? silentWebhookObserver,
  });
}
