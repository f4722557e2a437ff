import { checkPoints, isUnlimited, NEVER, UNLIMITED, type RateLimitDecision, type RateLimiter } from './RateLimiter.js';
import { ShapedBucket } from './TokenBucket.js';

/** Options of {@link LocalRateLimiter}. */
export interface LocalRateLimiterOptions {
  /** Clock in milliseconds; only differences matter. @default performance.now */
  now?: () => number;
  /** A key's bucket holds this many seconds of its rate (and at least its largest request). @default 1 */
  burstSeconds?: number;
  /** How often buckets that are full again are forgotten, so memory follows the active keys. @default 60000 */
  idleSweepMs?: number;
}

/** The defaults of {@link LocalRateLimiterOptions}. */
export const localDefaults = { burstSeconds: 1, idleSweepMs: 60_000 } as const;

/** Token buckets in this process only: each process enforces the whole limit on its own. */
export class LocalRateLimiter implements RateLimiter {
  readonly driver = 'local';
  readonly #buckets = new Map<string, ShapedBucket>();
  readonly #now: () => number;
  readonly #burstSeconds: number;
  readonly #idleSweepMs: number;
  #lastSweepMs: number;

  constructor(options: LocalRateLimiterOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#burstSeconds = positive(options.burstSeconds ?? localDefaults.burstSeconds, 'burstSeconds');
    this.#idleSweepMs = options.idleSweepMs ?? localDefaults.idleSweepMs;
    this.#lastSweepMs = this.#now();
  }

  /** Keys that currently hold a bucket. */
  get size(): number {
    return this.#buckets.size;
  }

  consume(key: string, points: number, limitPerSecond: number): RateLimitDecision {
    checkPoints(points);
    if (isUnlimited(limitPerSecond)) return UNLIMITED;
    if (!(limitPerSecond > 0)) return refuseAll(limitPerSecond);
    const now = this.#now();
    if (now - this.#lastSweepMs >= this.#idleSweepMs) this.#sweep(now);
    const existing = this.#buckets.get(key);
    if (existing) return existing.consume(points, limitPerSecond, 1, this.#burstSeconds, now);
    const created = new ShapedBucket(limitPerSecond, 1, this.#burstSeconds, points, now);
    this.#buckets.set(key, created);
    return created.consume(points, limitPerSecond, 1, this.#burstSeconds, now);
  }

  async close(): Promise<void> {
    this.#buckets.clear();
  }

  /** A full bucket is what a new one would be: dropping it is invisible. */
  #sweep(now: number): void {
    this.#lastSweepMs = now;
    for (const [key, shaped] of this.#buckets) {
      if (shaped.bucket.isFullAt(now)) this.#buckets.delete(key);
    }
  }
}

/** A limit of 0 refuses everything; NaN is a caller's bug. */
export function refuseAll(limitPerSecond: number): RateLimitDecision {
  if (Number.isNaN(limitPerSecond)) throw new RangeError('limitPerSecond must be a number, got NaN');
  return NEVER;
}

export function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
  return value;
}
