import type { TimerHandle, Timers } from './Timers.js';

interface Entry {
  readonly dueMs: number;
  readonly run: () => void;
}

/**
 * Actions that run after one fixed delay unless cancelled first: the pending `channel_vacated`
 * and `member_removed` webhooks. The delay is the same for every entry, so insertion order is
 * due order and one timer (armed for the oldest entry) serves them all; a cancel is a map delete.
 * At most `maxEntries` are held: `add` refuses beyond that and the caller decides what to do.
 */
export class DelayedActions {
  readonly #entries = new Map<string, Entry>();
  readonly #timers: Timers;
  readonly #delayMs: number;
  readonly #maxEntries: number;
  readonly #onError: (error: unknown) => void;
  #timer: TimerHandle | undefined;
  #timerDueMs = Number.POSITIVE_INFINITY;

  constructor(timers: Timers, delayMs: number, maxEntries: number, onError: (error: unknown) => void) {
    this.#timers = timers;
    this.#delayMs = delayMs;
    this.#maxEntries = maxEntries;
    this.#onError = onError;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Schedules `run` under `key` (replacing an earlier one); false when full. */
  add(key: string, run: () => void): boolean {
    const replacing = this.#entries.delete(key);
    if (!replacing && this.#entries.size >= this.#maxEntries) return false;
    this.#entries.set(key, { dueMs: this.#timers.nowMs() + this.#delayMs, run });
    this.#arm();
    return true;
  }

  /** Drops the action under `key`; true when there was one (it will not run). */
  cancel(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Removes every pending action and returns them, oldest first, without running them. */
  takeAll(): Array<() => void> {
    const actions = [...this.#entries.values()].map((entry) => entry.run);
    this.#entries.clear();
    this.#disarm();
    return actions;
  }

  #arm(): void {
    const first = this.#entries.values().next();
    if (first.done) return this.#disarm();
    if (this.#timer !== undefined && this.#timerDueMs <= first.value.dueMs) return;
    this.#disarm();
    this.#timerDueMs = first.value.dueMs;
    this.#timer = this.#timers.setTimeout(() => this.#fire(), Math.max(0, first.value.dueMs - this.#timers.nowMs()));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDueMs = Number.POSITIVE_INFINITY;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerDueMs = Number.POSITIVE_INFINITY;
    const now = this.#timers.nowMs();
    for (const [key, entry] of this.#entries) {
      if (entry.dueMs > now) break;
      this.#entries.delete(key);
      try {
        entry.run();
      } catch (error) {
        this.#onError(error);
      }
    }
    this.#arm();
  }
}
