import { randomBytes } from 'node:crypto';
import { Liveness } from '@meshpush/mesh-transport';

/** What the link table asks its transport to do. */
export interface LinkActions {
  sendHello(peerId: string, linkId: string): void;
  sendAck(peerId: string, linkId: string): void;
  up(peerId: string): void;
  down(peerId: string, reason: string): void;
}

interface PeerEntry {
  /** The link both sides agreed on; set = the peer is up. */
  linkId: string | undefined;
  /** Our HELLO still waiting for its ACK, and when it went out. */
  pendingHello: { linkId: string; sentAtMs: number } | undefined;
}

/** One peer as the status page shows it. */
export interface LinkStatus {
  readonly nodeId: string;
  readonly up: boolean;
  /** Time since anything was last heard from the peer. */
  readonly lastHeardAgoMs: number;
}

/**
 * Which peers are up, over a broker where nodes only hear each other's heartbeats.
 *
 * A broker gives no connection per pair of nodes, so this builds one: a node that hears an
 * unknown peer sends it a HELLO with a fresh link id, and both count the peer as up once the
 * HELLO is acknowledged (crossed HELLOs: the one from the lower node id wins). When one side
 * loses the link (silence, its own broker reconnect) it greets the other anew and the other,
 * seeing a new link id, drops the old link first. So both sides always see peer-down then
 * peer-up together, and each sends a fresh snapshot on peer-up, exactly as over a mesh route.
 * The ACK goes out before `up` runs, so the acceptor's snapshot arrives after the ACK.
 */
export class PeerLinks {
  readonly #selfId: string;
  readonly #liveness: Liveness<string>;
  readonly #helloRetryMs: number;
  readonly #now: () => number;
  readonly #actions: LinkActions;
  readonly #peers = new Map<string, PeerEntry>();

  /**
   * @param helloRetryMs how long an unanswered HELLO waits before it is sent again. Shorter than
   *   the node timeout: a lost HELLO from the lower node id (sent before this node's connection was
   *   up, say) blocks the pair until its retry, since that node ignores the crossed HELLO.
   *   @default nodeTimeoutMs
   */
  constructor(
    selfId: string,
    nodeTimeoutMs: number,
    actions: LinkActions,
    now: () => number = () => performance.now(),
    helloRetryMs = nodeTimeoutMs,
  ) {
    this.#selfId = selfId;
    this.#liveness = new Liveness({ nodeTimeoutMs, now });
    this.#helloRetryMs = Math.min(helloRetryMs, nodeTimeoutMs);
    this.#actions = actions;
    this.#now = now;
  }

  /** Something arrived from `peerId`; returns whether its data may be delivered (the link is up). */
  heard(peerId: string): boolean {
    const entry = this.#entry(peerId);
    this.#liveness.heard(peerId);
    if (entry.linkId !== undefined) return true;
    if (entry.pendingHello === undefined) this.#greet(peerId, entry);
    return false;
  }

  onHello(peerId: string, linkId: string): void {
    const entry = this.#entry(peerId);
    this.#liveness.heard(peerId);
    if (entry.linkId === linkId) {
      this.#actions.sendAck(peerId, linkId);
      return;
    }
    // Crossed greetings: both sides pick the lower node's link.
    if (entry.pendingHello !== undefined && this.#selfId < peerId) return;
    if (entry.linkId !== undefined) this.#actions.down(peerId, 'the peer restarted its link (it lost ours)');
    entry.pendingHello = undefined;
    entry.linkId = linkId;
    this.#actions.sendAck(peerId, linkId);
    this.#actions.up(peerId);
  }

  onAck(peerId: string, linkId: string): void {
    const entry = this.#peers.get(peerId);
    if (entry?.pendingHello?.linkId !== linkId) return;
    this.#liveness.heard(peerId);
    entry.pendingHello = undefined;
    entry.linkId = linkId;
    this.#actions.up(peerId);
  }

  /** The peer left gracefully. */
  onBye(peerId: string): void {
    this.#forget(peerId, 'left the cluster');
  }

  /** Drops peers silent for the node timeout and retries stale greetings; run every check interval. */
  check(): void {
    this.#liveness.sweep((peerId, silentMs) => this.#forget(peerId, `silent for ${Math.round(silentMs)} ms`));
    const now = this.#now();
    for (const [peerId, entry] of this.#peers) {
      if (entry.pendingHello !== undefined && now - entry.pendingHello.sentAtMs > this.#helloRetryMs) {
        this.#greet(peerId, entry);
      }
    }
  }

  /** Every peer is down at once (this node lost the broker); they are greeted anew when heard again. */
  dropAll(reason: string): void {
    for (const peerId of [...this.#peers.keys()]) this.#forget(peerId, reason);
  }

  isUp(peerId: string): boolean {
    return this.#peers.get(peerId)?.linkId !== undefined;
  }

  upPeers(): string[] {
    return [...this.#peers].filter(([, entry]) => entry.linkId !== undefined).map(([peerId]) => peerId);
  }

  status(): LinkStatus[] {
    return [...this.#peers].map(([nodeId, entry]) => ({
      nodeId,
      up: entry.linkId !== undefined,
      lastHeardAgoMs: Math.round(this.#liveness.silentMs(nodeId)),
    }));
  }

  #entry(peerId: string): PeerEntry {
    let entry = this.#peers.get(peerId);
    if (entry === undefined) {
      entry = { linkId: undefined, pendingHello: undefined };
      this.#peers.set(peerId, entry);
      this.#liveness.heard(peerId);
    }
    return entry;
  }

  #greet(peerId: string, entry: PeerEntry): void {
    const linkId = randomBytes(8).toString('hex');
    entry.pendingHello = { linkId, sentAtMs: this.#now() };
    this.#actions.sendHello(peerId, linkId);
  }

  #forget(peerId: string, reason: string): void {
    const entry = this.#peers.get(peerId);
    if (entry === undefined) return;
    this.#peers.delete(peerId);
    this.#liveness.forget(peerId);
    if (entry.linkId !== undefined) this.#actions.down(peerId, reason);
  }
}
