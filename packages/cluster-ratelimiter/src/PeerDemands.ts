/**
 * The latest demand report of every live peer. Each report replaces the peer's previous one
 * whole, and a peer that goes down takes its report with it: single writer per part, no merging.
 */
export class PeerDemands {
  readonly #reports = new Map<string, ReadonlyMap<string, number>>();
  /** Bumped on every change, so callers can cache what they derive from it. */
  version = 0;

  constructor(livePeers: Iterable<string>) {
    for (const peer of livePeers) this.#reports.set(peer, new Map());
  }

  get size(): number {
    return this.#reports.size;
  }

  up(peer: string): void {
    if (!this.#reports.has(peer)) this.#reports.set(peer, new Map());
    this.version++;
  }

  down(peer: string): void {
    this.#reports.delete(peer);
    this.version++;
  }

  /** Stores a live peer's report; returns false for a peer that is not up. */
  replace(peer: string, demands: ReadonlyMap<string, number>): boolean {
    if (!this.#reports.has(peer)) return false;
    this.#reports.set(peer, demands);
    this.version++;
    return true;
  }

  /** The sum of the live peers' demands for `key`, each counted as at least `floorPerSec`. */
  total(key: string, floorPerSec: number): number {
    let sum = 0;
    for (const demands of this.#reports.values()) sum += Math.max(floorPerSec, demands.get(key) ?? 0);
    return sum;
  }
}
