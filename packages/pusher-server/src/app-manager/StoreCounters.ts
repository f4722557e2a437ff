import type { Logger } from '../util/Logger.js';
import type { AppManagerStats } from './AppStore.js';

export interface StoreCountersOptions {
  readonly driver: string;
  readonly logger: Logger;
  readonly nowMs: () => number;
  readonly retryAfterErrorMs: number;
  readonly queryTimeoutMs: number;
}

/** A query that did not answer within `queryTimeoutMs`. */
export class AppStoreTimeoutError extends Error {
  constructor(driver: string, timeoutMs: number) {
    super(`the ${driver} app store did not answer within ${timeoutMs} ms`);
    this.name = 'AppStoreTimeoutError';
  }
}

/**
 * Runs the store's queries with a deadline and keeps the figures and the outage state: the first
 * failure is logged once (not once per lookup), the recovery once, and for `retryAfterErrorMs`
 * after a failure `inOutage()` tells callers not to query at all.
 */
export class StoreCounters {
  lookups = 0;
  cacheHits = 0;
  #queries = 0;
  #errors = 0;
  #querySeconds = 0;
  #downSinceMs: number | undefined;
  #retryAtMs = 0;
  readonly #options: StoreCountersOptions;

  constructor(options: StoreCountersOptions) {
    this.#options = options;
  }

  inOutage(): boolean {
    return this.#downSinceMs !== undefined && this.#options.nowMs() < this.#retryAtMs;
  }

  async query<T>(run: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    this.#queries++;
    try {
      const result = await withDeadline(run(), this.#options);
      this.#succeeded();
      return result;
    } catch (error) {
      this.#failed(error);
      throw error;
    } finally {
      this.#querySeconds += (performance.now() - startedAt) / 1000;
    }
  }

  snapshot(): AppManagerStats {
    return {
      driver: this.#options.driver,
      lookups: this.lookups,
      cacheHits: this.cacheHits,
      queries: this.#queries,
      errors: this.#errors,
      querySeconds: this.#querySeconds,
      databaseUp: this.#downSinceMs === undefined,
    };
  }

  #succeeded(): void {
    if (this.#downSinceMs === undefined) return;
    const downMs = this.#options.nowMs() - this.#downSinceMs;
    this.#downSinceMs = undefined;
    this.#options.logger.info('app database reachable again', { driver: this.#options.driver, downMs });
  }

  #failed(error: unknown): void {
    this.#errors++;
    const now = this.#options.nowMs();
    this.#retryAtMs = now + this.#options.retryAfterErrorMs;
    if (this.#downSinceMs !== undefined) return;
    this.#downSinceMs = now;
    this.#options.logger.error('app database unreachable: serving known apps from the cache, refusing unknown ones', {
      driver: this.#options.driver,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

function withDeadline<T>(work: Promise<T>, { driver, queryTimeoutMs }: StoreCountersOptions): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // Not unref'd: a query in flight is work the process is waiting for.
    timer = setTimeout(() => reject(new AppStoreTimeoutError(driver, queryTimeoutMs)), queryTimeoutMs);
  });
  // A late answer after the deadline is dropped; a late rejection must not go unhandled.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
