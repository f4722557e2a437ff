import { EventEmitter } from "node:events";
import type { ClusterTransport, RequestReply, TransportStats } from "../ClusterTransport.js";

/**
 * An in-process stand-in for the mesh: every pair of nodes is an ordered, asynchronous link,
 * with interest routing and the transport's event-order guarantees. For unit tests of code built on a transport;
 * the real mesh is tested over TCP in its own package and in the cluster integration tests.
 */
export class MemoryNetwork {
  readonly nodes = new Map<string, MemoryTransport>();
  #next = 0;

  join(): MemoryTransport {
    const node = new MemoryTransport(this, `node-${++this.#next}`);
    for (const peer of this.nodes.values()) {
      peer.link(node);
      node.link(peer);
    }
    this.nodes.set(node.nodeId, node);
    return node;
  }

  /** The node vanishes: its peers see peer-down, as after a node timeout. */
  kill(node: MemoryTransport): void {
    this.nodes.delete(node.nodeId);
    node.dead = true;
    for (const peer of this.nodes.values()) peer.unlink(node.nodeId, "killed");
  }

  /** Resolves once every queued delivery (and what it caused) has run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

export class MemoryTransport extends EventEmitter implements ClusterTransport {
  readonly nodeId: string;
  dead = false;
  /** Subjects of `publish` frames this node received, for interest-routing assertions. */
  readonly receivedPublishes: string[] = [];
  readonly #network: MemoryNetwork;
  readonly #peers = new Map<string, MemoryTransport>();
  readonly #interest = new Map<string, number>();

  constructor(network: MemoryNetwork, nodeId: string) {
    super();
    this.#network = network;
    this.nodeId = nodeId;
  }

  link(peer: MemoryTransport): void {
    this.#peers.set(peer.nodeId, peer);
    this.#deliver(() => this.emit("peer-up", peer.nodeId, { nodeId: peer.nodeId, address: "memory" }));
  }

  unlink(peerId: string, reason: string): void {
    if (this.#peers.delete(peerId)) this.#deliver(() => this.emit("peer-down", peerId, reason));
  }

  peers(): string[] {
    return [...this.#peers.keys()];
  }

  interestedIn(subject: string): boolean {
    return (this.#interest.get(subject) ?? 0) > 0;
  }

  subscribe(subject: string): void {
    this.#interest.set(subject, (this.#interest.get(subject) ?? 0) + 1);
  }

  unsubscribe(subject: string): void {
    const count = (this.#interest.get(subject) ?? 0) - 1;
    if (count > 0) this.#interest.set(subject, count);
    else this.#interest.delete(subject);
  }

  publish(subject: string, payload: unknown): void {
    for (const peer of this.#peers.values()) {
      if (!peer.interestedIn(subject)) continue;
      const from = this.nodeId;
      peer.#deliver(() => {
        peer.receivedPublishes.push(subject);
        peer.emit("message", subject, payload, from);
      });
    }
  }

  broadcast(topic: string, payload: unknown): void {
    for (const peerId of this.#peers.keys()) this.sendTo(peerId, topic, payload);
  }

  sendTo(nodeId: string, topic: string, payload: unknown): boolean {
    const peer = this.#peers.get(nodeId);
    if (!peer) return false;
    // Structured clone: a peer never shares objects with the sender, as over a real wire.
    const copy = structuredClone(payload);
    const from = this.nodeId;
    peer.#deliver(() => peer.emit("broadcast", topic, copy, from));
    return true;
  }

  async request(): Promise<RequestReply[]> {
    return [];
  }

  handle(): () => void {
    return () => undefined;
  }

  stats(): TransportStats {
    return { nodeId: this.nodeId, uptimeMs: 0, peers: this.peers().map((nodeId) => ({ nodeId, rttMs: 0 })) };
  }

  async close(): Promise<void> {
    this.#network.kill(this);
  }

  /** Ordered per receiving node: a FIFO of macrotasks keeps the link's order. */
  #deliver(action: () => void): void {
    setImmediate(() => {
      if (!this.dead) action();
    });
  }
}
