import type { Logger } from '../util/Logger.js';
import type { Timers } from './Timers.js';
import type { WebhookDropReason } from './WebhookSender.js';

/** At most one warning per this many ms, however many events are dropped. */
const LOG_INTERVAL_MS = 10_000;

/**
 * Logs dropped webhook events without flooding: the first drop is logged at once, later ones are
 * summed and logged at most once per interval (the metrics count every one of them).
 */
export class DropLog {
  readonly #logger: Logger;
  readonly #timers: Timers;
  readonly #pending = new Map<WebhookDropReason, number>();
  #lastLogMs = Number.NEGATIVE_INFINITY;

  constructor(logger: Logger, timers: Timers) {
    this.#logger = logger;
    this.#timers = timers;
  }

  record(events: number, reason: WebhookDropReason): void {
    this.#pending.set(reason, (this.#pending.get(reason) ?? 0) + events);
    if (this.#timers.nowMs() - this.#lastLogMs >= LOG_INTERVAL_MS) this.flush();
  }

  /** Logs what was dropped since the last line, if anything. */
  flush(): void {
    if (this.#pending.size === 0) return;
    this.#lastLogMs = this.#timers.nowMs();
    const dropped = Object.fromEntries(this.#pending);
    this.#pending.clear();
    this.#logger.warn('webhook events dropped', { dropped });
  }
}
