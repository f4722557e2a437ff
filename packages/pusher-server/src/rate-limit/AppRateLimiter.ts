import { isUnlimited, LocalRateLimiter, type RateLimitDecision, type RateLimiter } from '@meshpush/cluster-ratelimiter';
import type { App } from '../app-manager/App.js';

/** The three per-app limits soketi has, named as in metrics labels. */
export type RateLimitKind = 'backend_events' | 'client_events' | 'read_requests';

/** Told about every refusal (the metrics' `rate_limit_rejections_total`). */
export interface RateLimitObserver {
  /** Called once per refused request or client event, with the limit that refused it. */
  rateLimited(appId: string, limit: RateLimitKind): void;
}

/**
 * Points admitted and refused for one app and kind, counted only while a limit applies: one
 * point per event (backend and client events) or per request (reads).
 */
export interface RateLimitCount {
  readonly appId: string;
  readonly kind: RateLimitKind;
  readonly admitted: number;
  readonly rejected: number;
}

/** Options of an {@link AppRateLimiter}: where the buckets live and who hears about refusals. */
export interface AppRateLimiterOptions {
  /**
   * Buckets of the app-wide limits (backend events, reads): a `ClusterRateLimiter` makes them
   * global across the cluster. @default a LocalRateLimiter
   */
  limiter?: RateLimiter;
  /**
   * Buckets of the per-connection client event limit. A socket lives on one node, so these
   * are never shared. @default a LocalRateLimiter
   */
  perConnection?: RateLimiter;
  observer?: RateLimitObserver;
}

const NO_LIMIT: AppRateLimitDecision = Object.freeze({
  allowed: true,
  remaining: Infinity,
  retryAfterMs: 0,
  limitPerSecond: -1,
});

type Tally = Record<RateLimitKind, { admitted: number; rejected: number }>;

/** A limit decision, with the limit it applied (for `X-RateLimit-Limit`). */
export interface AppRateLimitDecision extends RateLimitDecision {
  readonly limitPerSecond: number;
}

/**
 * The per-app limits of soketi over a `RateLimiter`: backend events and read requests per app
 * (`maxBackendEventsPerSecond`, `maxReadRequestsPerSecond`), client events per connection
 * (`maxClientEventsPerSecond`, as soketi and Pusher count them). A limit of -1 is unlimited.
 */
export class AppRateLimiter {
  readonly #limiter: RateLimiter;
  readonly #perConnection: RateLimiter;
  readonly #observer: RateLimitObserver | undefined;
  readonly #tallies = new Map<string, Tally>();

  constructor(options: AppRateLimiterOptions = {}) {
    this.#limiter = options.limiter ?? new LocalRateLimiter();
    this.#perConnection = options.perConnection ?? new LocalRateLimiter();
    this.#observer = options.observer;
  }

  /** The driver of the app-wide limits (`local`, `cluster`). */
  get driver(): string {
    return this.#limiter.driver;
  }

  /** `points` events published through the HTTP API. */
  backendEvents(app: App, points: number): AppRateLimitDecision {
    return this.#decide(
      this.#limiter,
      app,
      'backend_events',
      `${app.id}:backend_events`,
      points,
      app.maxBackendEventsPerSecond,
    );
  }

  /** One read request (`GET` on the HTTP API). */
  readRequest(app: App): AppRateLimitDecision {
    return this.#decide(
      this.#limiter,
      app,
      'read_requests',
      `${app.id}:read_requests`,
      1,
      app.maxReadRequestsPerSecond,
    );
  }

  /** One client event sent by the connection `socketId`. */
  clientEvent(app: App, socketId: string): AppRateLimitDecision {
    const key = `${app.id}:client_events:${socketId}`;
    return this.#decide(this.#perConnection, app, 'client_events', key, 1, app.maxClientEventsPerSecond);
  }

  /** Counts since start, per app and kind, of the apps that have a limit. */
  counts(): RateLimitCount[] {
    return [...this.#tallies].flatMap(([appId, tally]) =>
      (Object.keys(tally) as RateLimitKind[]).map((kind) => ({ appId, kind, ...tally[kind] })),
    );
  }

  /** Closes the shared limiter and the per-connection one; called by `server.stop()`. */
  async close(): Promise<void> {
    await Promise.all([this.#limiter.close(), this.#perConnection.close()]);
  }

  #decide(
    limiter: RateLimiter,
    app: App,
    kind: RateLimitKind,
    key: string,
    points: number,
    limit: number,
  ): AppRateLimitDecision {
    if (isUnlimited(limit)) return NO_LIMIT;
    const decision = limiter.consume(key, points, limit);
    const count = this.#tally(app.id)[kind];
    if (decision.allowed) {
      count.admitted += points;
    } else {
      count.rejected += points;
      this.#observer?.rateLimited(app.id, kind);
    }
    return { ...decision, limitPerSecond: limit };
  }

  #tally(appId: string): Tally {
    let tally = this.#tallies.get(appId);
    if (!tally) {
      const zero = () => ({ admitted: 0, rejected: 0 });
      tally = { backend_events: zero(), client_events: zero(), read_requests: zero() };
      this.#tallies.set(appId, tally);
    }
    return tally;
  }
}
