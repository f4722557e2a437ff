/** The timers a heartbeat runs on; tests pass fakes that they fire by hand. */
export interface HeartbeatTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Runs `callback` after the input that is already waiting has been read (Node's check phase). */
  setImmediate(callback: () => void): void;
}

/** Node's own timers; the interval does not keep the process alive. */
export const systemHeartbeatTimers: HeartbeatTimers = {
  setInterval: (callback, ms) => setInterval(callback, ms).unref(),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  setImmediate: (callback) => void setImmediate(callback),
};

/** Options of a {@link Heartbeat}. */
export interface HeartbeatOptions {
  /** How often to beat (CLUSTER_CHECK_INTERVAL). */
  readonly intervalMs: number;
  /** Sends this node's heartbeats (and whatever else runs once per interval). */
  readonly beat: () => void;
  /** Judges the peers' silence. */
  readonly check: () => void;
  /** @default systemHeartbeatTimers */
  readonly timers?: HeartbeatTimers;
}

/**
 * The once-per-interval rhythm of liveness: send the heartbeats, then judge silence in the check
 * phase of the event loop, after the poll phase has read whatever arrived while this process was
 * busy or paused. A stall of this process is then never blamed on its peers: what they sent in
 * the meantime is counted before the verdict.
 */
export class Heartbeat {
  readonly #options: HeartbeatOptions;
  readonly #timers: HeartbeatTimers;
  #handle: unknown;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
    this.#timers = options.timers ?? systemHeartbeatTimers;
  }

  get running(): boolean {
    return this.#handle !== undefined;
  }

  start(): void {
    if (this.#handle !== undefined) return;
    this.#handle = this.#timers.setInterval(() => this.#tick(), this.#options.intervalMs);
  }

  stop(): void {
    if (this.#handle === undefined) return;
    this.#timers.clearInterval(this.#handle);
    this.#handle = undefined;
  }

  #tick(): void {
    this.#options.beat();
    this.#timers.setImmediate(() => {
      if (this.#handle !== undefined) this.#options.check();
    });
  }
}
