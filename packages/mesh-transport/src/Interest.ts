/**
 * Interest routing state. Local interest is reference counted: only the 0→1 and 1→0 changes
 * reach peers. Remote interest is kept per peer (`P`, the route object), so that `publish` finds
 * the interested peers with one lookup and a dead peer's interest is dropped whole.
 */
export class Interest<P> {
  readonly #local = new Map<string, number>();
  readonly #remoteBySubject = new Map<string, Set<P>>();
  readonly #remoteByPeer = new Map<P, Set<string>>();

  /** Returns true when this is the first local interest in `subject`. */
  addLocal(subject: string): boolean {
    const count = this.#local.get(subject) ?? 0;
    this.#local.set(subject, count + 1);
    return count === 0;
  }

  /** Returns true when the last local interest in `subject` is gone; unknown subjects are ignored. */
  removeLocal(subject: string): boolean {
    const count = this.#local.get(subject);
    if (count === undefined) return false;
    if (count > 1) {
      this.#local.set(subject, count - 1);
      return false;
    }
    this.#local.delete(subject);
    return true;
  }

  hasLocal(subject: string): boolean {
    return this.#local.has(subject);
  }

  localSubjects(): string[] {
    return [...this.#local.keys()];
  }

  get localCount(): number {
    return this.#local.size;
  }

  addRemote(peer: P, subjects: readonly string[]): void {
    let mine = this.#remoteByPeer.get(peer);
    if (mine === undefined) this.#remoteByPeer.set(peer, (mine = new Set()));
    for (const subject of subjects) {
      mine.add(subject);
      let peers = this.#remoteBySubject.get(subject);
      if (peers === undefined) this.#remoteBySubject.set(subject, (peers = new Set()));
      peers.add(peer);
    }
  }

  removeRemote(peer: P, subjects: readonly string[]): void {
    const mine = this.#remoteByPeer.get(peer);
    if (mine === undefined) return;
    for (const subject of subjects) {
      mine.delete(subject);
      this.#forget(subject, peer);
    }
  }

  dropPeer(peer: P): void {
    const mine = this.#remoteByPeer.get(peer);
    if (mine === undefined) return;
    this.#remoteByPeer.delete(peer);
    for (const subject of mine) this.#forget(subject, peer);
  }

  /** The peers interested in `subject`; do not mutate. */
  peersFor(subject: string): ReadonlySet<P> | undefined {
    return this.#remoteBySubject.get(subject);
  }

  remoteCount(peer: P): number {
    return this.#remoteByPeer.get(peer)?.size ?? 0;
  }

  #forget(subject: string, peer: P): void {
    const peers = this.#remoteBySubject.get(subject);
    if (peers === undefined) return;
    peers.delete(peer);
    if (peers.size === 0) this.#remoteBySubject.delete(subject);
  }
}
