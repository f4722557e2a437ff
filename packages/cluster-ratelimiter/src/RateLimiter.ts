/** The answer to one {@link RateLimiter.consume} call. */
export interface RateLimitDecision {
  /** True when the points were taken: go ahead. False: refuse, nothing was taken. */
  readonly allowed: boolean;
  /** Whole points this node could still take for the key right now (`Infinity` when unlimited). */
  readonly remaining: number;
  /**
   * When refused: milliseconds until the requested points should be available at the current
   * rate (a hint for `Retry-After`). When allowed: 0.
   */
  readonly retryAfterMs: number;
}

/**
 * Token buckets keyed by strings (`app-1:backend_events`, …). Each key refills at
 * `limitPerSecond` points per second up to a burst of one second's worth (configurable), and
 * always holds at least the largest request seen for it, so a request bigger than one second's
 * budget waits for enough tokens instead of failing forever.
 *
 * The decision is synchronous and local: no implementation may wait on the network per call.
 *
 * Writing a driver: implement these three members; keep `consume` synchronous and cheap (it runs
 * once per event), treat a negative or infinite limit as unlimited and a limit of 0 as "refuse
 * everything", and release timers and listeners in `close()`. `LocalRateLimiter` is the reference.
 */
export interface RateLimiter {
  /** Short name shown in logs and status (`local`, `cluster`). */
  readonly driver: string;
  /**
   * Takes `points` (≥ 0) from the bucket of `key`, whose limit is `limitPerSecond` points per
   * second (`< 0` or `Infinity`: unlimited; `0`: nothing is ever allowed). The limit is passed on
   * every call, so a changed app configuration applies at once.
   * @throws RangeError when `points` is negative or not a number.
   */
  consume(key: string, points: number, limitPerSecond: number): RateLimitDecision;
  /** Stops timers and listeners. A transport it was given is left open: its owner closes it. */
  close(): Promise<void>;
}

/** The decision for a negative or infinite limit. */
export const UNLIMITED: RateLimitDecision = Object.freeze({ allowed: true, remaining: Infinity, retryAfterMs: 0 });

/** The decision for a limit of 0: nothing will ever be allowed. */
export const NEVER: RateLimitDecision = Object.freeze({ allowed: false, remaining: 0, retryAfterMs: Infinity });

/** True when `limitPerSecond` means "no limit". */
export function isUnlimited(limitPerSecond: number): boolean {
  return limitPerSecond < 0 || limitPerSecond === Infinity;
}

export function checkPoints(points: number): void {
  if (!(points >= 0) || !Number.isFinite(points)) {
    throw new RangeError(`points must be a finite number ≥ 0, got ${String(points)}`);
  }
}
