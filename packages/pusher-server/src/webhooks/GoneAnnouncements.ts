/** Peers whose announced departures are remembered at most; the oldest are forgotten first. */
const MAX_REMEMBERED_PEERS = 1024;

/**
 * What this node announced gone (`member_removed`, `channel_vacated`) because a peer departed.
 * If that peer comes back (a healed partition, a paused process resumed), its snapshot re-adds
 * those members and channels, and this node — the one that told the app they were gone — must
 * announce them again: the other nodes did not send the leave, and the returning peer never saw
 * it, so nobody else can.
 *
 * Each departure of a peer starts afresh and each return consumes what was remembered, so only
 * what the latest departure announced can be announced back, once.
 */
export class GoneAnnouncements {
  readonly #byPeer = new Map<string, Set<string>>();

  /** This node sent the leave under `key`, caused by `peer`'s departure. */
  remember(peer: string, key: string): void {
    let keys = this.#byPeer.get(peer);
    if (!keys) {
      this.#byPeer.set(peer, (keys = new Set()));
      this.#evictOldest();
    }
    keys.add(key);
  }

  /** True (once) when `peer`'s return brings back what this node announced gone under `key`. */
  takeBack(peer: string, key: string): boolean {
    return this.#byPeer.get(peer)?.delete(key) ?? false;
  }

  /** A new departure of `peer`, or its return fully applied: what was remembered no longer applies. */
  forget(peer: string): void {
    this.#byPeer.delete(peer);
  }

  /** Keys held, for tests. */
  get size(): number {
    let size = 0;
    for (const keys of this.#byPeer.values()) size += keys.size;
    return size;
  }

  #evictOldest(): void {
    if (this.#byPeer.size <= MAX_REMEMBERED_PEERS) return;
    const oldest = this.#byPeer.keys().next();
    if (!oldest.done) this.#byPeer.delete(oldest.value);
  }
}
