/** Milliseconds on a monotonic clock; only differences matter. */
export type Clock = () => number;

/** Options of a {@link Liveness}. */
export interface LivenessOptions {
  /** Silence after which a peer counts as dead (CLUSTER_NODE_TIMEOUT). */
  readonly nodeTimeoutMs: number;
  /** @default performance.now */
  readonly now?: Clock;
}

/**
 * When each peer was last heard from, and which peers have been silent for longer than the node
 * timeout. Anything received counts: a heartbeat, a message, a handshake frame. Pure bookkeeping
 * over an injected clock; its owner sends the heartbeats and acts on the verdicts, so the mesh
 * routes and the broker links judge silence the same way.
 */
export class Liveness<Peer> {
  readonly nodeTimeoutMs: number;
  readonly #now: Clock;
  readonly #lastHeard = new Map<Peer, number>();

  constructor(options: LivenessOptions) {
    this.nodeTimeoutMs = options.nodeTimeoutMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Something arrived from `peer` (or it was just met): its silence starts again from now. */
  heard(peer: Peer): void {
    this.#lastHeard.set(peer, this.#now());
  }

  /** Stops tracking `peer` (it left, or its route closed). */
  forget(peer: Peer): void {
    this.#lastHeard.delete(peer);
  }

  /** How long `peer` has been silent; 0 for a peer not tracked. */
  silentMs(peer: Peer): number {
    const last = this.#lastHeard.get(peer);
    return last === undefined ? 0 : Math.max(0, this.#now() - last);
  }

  /**
   * Forgets every peer silent for longer than the node timeout and tells `onSilent` about each,
   * with how long it was silent. Run it once per check interval, after pending input was read.
   */
  sweep(onSilent: (peer: Peer, silentMs: number) => void): void {
    const now = this.#now();
    for (const [peer, last] of [...this.#lastHeard]) {
      const silentMs = now - last;
      if (silentMs <= this.nodeTimeoutMs) continue;
      this.#lastHeard.delete(peer);
      onSilent(peer, silentMs);
    }
  }
}
