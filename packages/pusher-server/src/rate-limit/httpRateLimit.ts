import type { App } from '../app-manager/App.js';
import type { HttpApiContext } from '../http/HttpApiContext.js';
import { HttpApiError } from '../http/HttpApiError.js';
import type { AppRateLimitDecision } from './AppRateLimiter.js';

/**
 * 429: over one of the app's limits. The reply carries `Retry-After` (whole seconds, at least
 * 1) and soketi's `X-RateLimit-Limit` / `X-RateLimit-Remaining`.
 */
export class TooManyRequestsError extends HttpApiError {
  readonly headers: ReadonlyArray<readonly [string, string]>;

  constructor(message: string, decision: AppRateLimitDecision) {
    super(429, message);
    this.name = 'TooManyRequestsError';
    const headers: Array<readonly [string, string]> = [
      ['X-RateLimit-Limit', String(decision.limitPerSecond)],
      ['X-RateLimit-Remaining', String(decision.remaining)],
    ];
    // A limit of 0 never admits anything: there is no time to come back at.
    if (Number.isFinite(decision.retryAfterMs)) {
      headers.unshift(['Retry-After', String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)))]);
    }
    this.headers = headers;
  }
}

/**
 * The 429 gate of the HTTP API, after the app is known, the signature checked and the app
 * enabled. `POST …/events` and `…/batch_events` take points from the backend events limit;
 * every `GET` takes one point from the read limit; other calls are not limited.
 */
export function checkApiRateLimit(ctx: HttpApiContext, method: string, path: string, app: App, body: Buffer): void {
  const limiter = ctx.rateLimiter;
  if (limiter === undefined) return;
  if (method === 'GET') {
    const decision = limiter.readRequest(app);
    if (!decision.allowed)
      throw new TooManyRequestsError(
        `Too many requests: over ${app.maxReadRequestsPerSecond} read requests per second`,
        decision,
      );
    return;
  }
  const batch = path.endsWith('/batch_events');
  if (method !== 'POST' || !(batch || path.endsWith('/events')) || app.maxBackendEventsPerSecond < 0) return;
  const decision = limiter.backendEvents(app, backendEventPoints(body, app, batch));
  if (!decision.allowed) {
    throw new TooManyRequestsError(
      `Too many requests: over ${app.maxBackendEventsPerSecond} backend events per second`,
      decision,
    );
  }
}

/**
 * Points of a publish, as soketi counts them: one per channel the event goes to (`/events`),
 * or per event of a batch. Counted before validation, so it is bounded by the app's limits
 * (an oversized request is refused with 400 by the endpoint anyway); unreadable JSON is 1.
 */
export function backendEventPoints(body: Buffer, app: App, batch: boolean): number {
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return 1;
  }
  const { maxEventChannelsAtOnce, maxEventBatchSize } = app.limits;
  if (batch) {
    const events = field(input, 'batch');
    return Array.isArray(events) ? clamp(events.length, maxEventBatchSize) : 1;
  }
  const channels = field(input, 'channels');
  return Array.isArray(channels) ? clamp(new Set(channels).size, maxEventChannelsAtOnce) : 1;
}

function clamp(count: number, max: number): number {
  return Math.max(1, Math.min(count, max));
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}
