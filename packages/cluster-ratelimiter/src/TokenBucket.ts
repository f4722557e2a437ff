/**
 * Float sums such as 0.1 × 10 fall short of 1 by ~1e-16: a request is allowed when the bucket
 * holds its points minus this slack, so fractional rates refill exactly on time.
 */
const SLACK = 1e-9;

/**
 * One token bucket: `capacity` tokens at most, refilled continuously at `ratePerSec`. The time
 * is always passed in (milliseconds from any monotonic origin), so the arithmetic is pure and
 * tests need no clock. A clock that goes backwards adds nothing and is taken as the new origin.
 */
export class TokenBucket {
  #tokens: number;
  #capacity: number;
  #ratePerSec: number;
  #ratePerMs: number;
  #updatedMs: number;

  /** A new bucket starts full. */
  constructor(capacity: number, ratePerSec: number, nowMs: number) {
    this.#capacity = capacity;
    this.#ratePerSec = ratePerSec;
    this.#ratePerMs = ratePerSec / 1000;
    this.#tokens = capacity;
    this.#updatedMs = nowMs;
  }

  get capacity(): number {
    return this.#capacity;
  }

  get ratePerSec(): number {
    return this.#ratePerSec;
  }

  /** Tokens held at `nowMs`. */
  tokensAt(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens;
  }

  /**
   * Changes capacity and rate from `nowMs` on: what accrued until now accrued at the old rate,
   * and a smaller capacity drops the tokens above it (a larger one adds none).
   */
  reshape(capacity: number, ratePerSec: number, nowMs: number): void {
    this.#refill(nowMs);
    this.#capacity = capacity;
    this.#ratePerSec = ratePerSec;
    this.#ratePerMs = ratePerSec / 1000;
    if (this.#tokens > capacity) this.#tokens = capacity;
  }

  /** Takes `points` if the bucket holds them; returns whether it did. */
  take(points: number, nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens + SLACK < points) return false;
    this.#tokens = Math.max(0, this.#tokens - points);
    return true;
  }

  /** Whole tokens left at `nowMs` (rounded down; the slack counts, as in `take`). */
  remainingAt(nowMs: number): number {
    return Math.floor(this.tokensAt(nowMs) + SLACK);
  }

  /** Milliseconds until the bucket holds `points` (0 if it does; Infinity if it never will). */
  msUntil(points: number, nowMs: number): number {
    const missing = points - this.tokensAt(nowMs) - SLACK;
    if (missing <= 0) return 0;
    if (points > this.#capacity + SLACK || this.#ratePerMs <= 0) return Infinity;
    return Math.ceil(missing / this.#ratePerMs);
  }

  /** True when the bucket is full at `nowMs`: forgetting it then changes nothing. */
  isFullAt(nowMs: number): boolean {
    return this.tokensAt(nowMs) + SLACK >= this.#capacity;
  }

  #refill(nowMs: number): void {
    const elapsedMs = nowMs - this.#updatedMs;
    this.#updatedMs = nowMs;
    if (elapsedMs <= 0) return;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsedMs * this.#ratePerMs);
  }
}

/** A key's bucket and the largest request it has seen, which its capacity never falls below. */
export class ShapedBucket {
  readonly bucket: TokenBucket;
  #largestPoints: number;

  /** Starts full, shaped for `limitPerSec × share`. */
  constructor(limitPerSec: number, share: number, burstSeconds: number, points: number, nowMs: number) {
    this.#largestPoints = points;
    this.bucket = new TokenBucket(capacityFor(limitPerSec, share, burstSeconds, points), limitPerSec * share, nowMs);
  }

  /**
   * Takes `points` after fitting the bucket to the current limit and share. Returns the decision
   * fields; `remaining` and `retryAfterMs` are this bucket's, at its current rate.
   */
  consume(points: number, limitPerSec: number, share: number, burstSeconds: number, nowMs: number): Decision {
    if (points > this.#largestPoints) this.#largestPoints = points;
    const capacity = capacityFor(limitPerSec, share, burstSeconds, this.#largestPoints);
    const ratePerSec = limitPerSec * share;
    const { bucket } = this;
    if (capacity !== bucket.capacity || ratePerSec !== bucket.ratePerSec) bucket.reshape(capacity, ratePerSec, nowMs);
    const allowed = bucket.take(points, nowMs);
    return { allowed, remaining: bucket.remainingAt(nowMs), retryAfterMs: allowed ? 0 : bucket.msUntil(points, nowMs) };
  }
}

interface Decision {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
}

/** `burstSeconds` of this node's rate, and never less than the largest request seen. */
function capacityFor(limitPerSec: number, share: number, burstSeconds: number, largestPoints: number): number {
  return Math.max(limitPerSec * share * burstSeconds, largestPoints);
}
