import type { Clock } from './Liveness.js';

/** The timing fields of an outgoing PING: `[sentAtMs, echoMs, heldMs]`. */
export type PingTiming = readonly [sentAtMs: number, echoMs: number, heldMs: number];

/** `echoMs` of a PING sent before any PING of the peer arrived. */
export const NO_ECHO = -1;

/**
 * Round-trip time from PINGs alone, one frame each way and no PONG. Each PING carries the
 * sender's clock, an echo of the last PING clock it received from the peer, and how long it held
 * that echo before sending; the peer then has `rtt = now − echo − held`, both ends of the
 * subtraction on its own clock. Clocks of the two sides are never compared.
 */
export class PingEcho {
  /** The last measured round trip; undefined until the peer echoed one of our PINGs. */
  rttMs: number | undefined;
  readonly #now: Clock;
  #lastIn = NO_ECHO;
  #lastInAt = 0;

  constructor(now: Clock = () => performance.now()) {
    this.#now = now;
  }

  /** The fields of a PING to send now. */
  outgoing(): PingTiming {
    const now = this.#now();
    if (this.#lastIn === NO_ECHO) return [now, NO_ECHO, 0];
    return [now, this.#lastIn, now - this.#lastInAt];
  }

  /**
   * A PING of the peer arrived. Returns true when the peer holds no echo of ours yet (its route
   * just came up): answering at once gives it a round trip without waiting for the next beat.
   */
  incoming(sentAtMs: number, echoMs: number, heldMs: number): boolean {
    const now = this.#now();
    this.#lastIn = sentAtMs;
    this.#lastInAt = now;
    if (echoMs === NO_ECHO) return true;
    const rtt = now - echoMs - heldMs;
    // A negative value can only come from a peer that echoed a clock we never sent: ignore it.
    if (rtt >= 0) this.rttMs = rtt;
    return false;
  }
}
