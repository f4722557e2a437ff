/** An opaque handle returned by `Timers.setTimeout`. */
export type TimerHandle = unknown;

/**
 * The clock and timers of the webhook machinery, injected so that delays, batching windows and
 * backoff can be tested with a hand-driven clock instead of real waiting.
 */
export interface Timers {
  /** Monotonic milliseconds: only differences matter. */
  nowMs(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Node's timers, unref'd: pending webhooks never keep an embedding process alive on their own
 * (the server's drain waits for them explicitly).
 */
export const systemTimers: Timers = Object.freeze({
  nowMs: () => performance.now(),
  setTimeout: (callback: () => void, delayMs: number): TimerHandle => setTimeout(callback, delayMs).unref(),
  clearTimeout: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
});
