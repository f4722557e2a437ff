import { EventEmitter } from 'node:events';
import type { RequestHandler, RequestingTransport, RequestReply, TransportStats } from '../ClusterTransport.js';
import { Requests } from '../Requests.js';

/**
 * An in-process stand-in for the mesh: every pair of nodes is an ordered, asynchronous link,
 * with interest routing and the transport's event-order guarantees. As on the mesh, a peer learns
 * of a new interest only when the link delivers it, so a publish sent before that misses it. For unit tests of code built on a transport;
 * the real mesh is tested over TCP in its own package and in the cluster integration tests.
 */
export class MemoryNetwork {
  readonly nodes = new Map<string, MemoryTransport>();
  #next = 0;

  /** A new node, not started: `start()` links it to every started node (each side sees `peer-up`). */
  create(): MemoryTransport {
    return new MemoryTransport(this, `node-${++this.#next}`);
  }

  /** A new node, started at once. */
  join(): MemoryTransport {
    const node = this.create();
    this.add(node);
    return node;
  }

  /** Links `node` to every node in the network; what `start()` does. */
  add(node: MemoryTransport): void {
    if (this.nodes.has(node.nodeId) || node.dead) return;
    for (const peer of this.nodes.values()) {
      peer.link(node);
      node.link(peer);
    }
    this.nodes.set(node.nodeId, node);
  }

  /** The node vanishes: its peers see peer-down, as after a node timeout. */
  kill(node: MemoryTransport): void {
    this.nodes.delete(node.nodeId);
    node.dead = true;
    for (const peer of this.nodes.values()) peer.unlink(node.nodeId, 'killed');
  }

  /** Resolves once every queued delivery (and what it caused) has run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

export class MemoryTransport extends EventEmitter implements RequestingTransport {
  readonly nodeId: string;
  dead = false;
  /** Subjects of `publish` frames this node received, for interest-routing assertions. */
  readonly receivedPublishes: string[] = [];
  readonly #network: MemoryNetwork;
  readonly #peers = new Map<string, MemoryTransport>();
  readonly #interest = new Map<string, number>();
  /** Each peer's subjects, as far as its link has told this node. */
  readonly #peerInterest = new Map<string, Set<string>>();
  readonly #requests = new Requests();

  constructor(network: MemoryNetwork, nodeId: string) {
    super();
    this.#network = network;
    this.nodeId = nodeId;
  }

  /** Opens the route to `peer` from this side: interest snapshot first, then `peer-up`. */
  link(peer: MemoryTransport): void {
    this.#peers.set(peer.nodeId, peer);
    this.#peerInterest.set(peer.nodeId, new Set());
    const subjects = [...this.#interest.keys()];
    const from = this.nodeId;
    // The interest snapshot a new route carries, delivered before anything else on the link.
    peer.#deliver(() => {
      for (const subject of subjects) peer.#peerInterest.get(from)?.add(subject);
    });
    this.#deliver(() => this.emit('peer-up', peer.nodeId, { nodeId: peer.nodeId, address: 'memory' }));
  }

  /** Drops the route to a peer from this side: its interest is forgotten, its requests fail, then `peer-down`. */
  unlink(peerId: string, reason: string): void {
    this.#peerInterest.delete(peerId);
    if (!this.#peers.delete(peerId)) return;
    this.#requests.onPeerDown(peerId);
    this.#deliver(() => this.emit('peer-down', peerId, reason));
  }

  /** Joins the network. */
  async start(): Promise<void> {
    this.#network.add(this);
  }

  /** Settles once every peer's link has delivered what was sent before it (the SUBs among it). */
  async interestBarrier(timeoutMs: number): Promise<void> {
    const links = [...this.#peers.values()].map((peer) => new Promise<void>((resolve) => peer.#deliver(resolve)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(links), timeout]);
    clearTimeout(timer);
  }

  peers(): string[] {
    return [...this.#peers.keys()];
  }

  /** Whether this node subscribes to `subject` (for assertions). */
  interestedIn(subject: string): boolean {
    return (this.#interest.get(subject) ?? 0) > 0;
  }

  subscribe(subject: string): void {
    const count = (this.#interest.get(subject) ?? 0) + 1;
    this.#interest.set(subject, count);
    if (count === 1) this.#tellPeers((interest) => interest.add(subject));
  }

  unsubscribe(subject: string): void {
    const count = (this.#interest.get(subject) ?? 0) - 1;
    if (count > 0) {
      this.#interest.set(subject, count);
      return;
    }
    this.#interest.delete(subject);
    this.#tellPeers((interest) => interest.delete(subject));
  }

  publish(subject: string, payload: unknown): void {
    for (const peer of this.#peers.values()) {
      if (!this.#peerInterest.get(peer.nodeId)?.has(subject)) continue;
      const from = this.nodeId;
      peer.#deliver(() => {
        // A publish that crossed an unsubscribe in flight is dropped, as on the mesh.
        if (!peer.interestedIn(subject)) return;
        peer.receivedPublishes.push(subject);
        peer.emit('message', subject, payload, from);
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
    peer.#deliver(() => peer.emit('broadcast', topic, copy, from));
    return true;
  }

  /** Ordered behind everything sent before it on each link; settles as over the mesh (timeouts, peers leaving). */
  request(target: string, topic: string, payload: unknown, timeoutMs = 5000): Promise<RequestReply[]> {
    const targets = target === 'all' ? this.peers() : [target];
    const from = this.nodeId;
    return this.#requests.start(targets, timeoutMs, (nodeId, requestId) => {
      const peer = this.#peers.get(nodeId);
      if (!peer) return false;
      const copy = structuredClone(payload);
      peer.#deliver(() => {
        void peer.#requests.answer(topic, copy, from).then(([ok, result]) => {
          const reply = structuredClone(result);
          this.#deliver(() => this.#requests.onReply(nodeId, requestId, ok, reply));
        });
      });
      return true;
    });
  }

  handle(topic: string, handler: RequestHandler): () => void {
    return this.#requests.handle(topic, handler);
  }

  /** This node and its linked peers (no round trips in memory: `rttMs` is 0). */
  stats(): TransportStats {
    return { nodeId: this.nodeId, uptimeMs: 0, peers: this.peers().map((nodeId) => ({ nodeId, rttMs: 0 })) };
  }

  async close(): Promise<void> {
    this.#requests.closeAll();
    this.#network.kill(this);
  }

  #tellPeers(change: (interest: Set<string>) => void): void {
    const from = this.nodeId;
    for (const peer of this.#peers.values()) {
      peer.#deliver(() => {
        const interest = peer.#peerInterest.get(from);
        if (interest) change(interest);
      });
    }
  }

  /** Ordered per receiving node: a FIFO of macrotasks keeps the link's order. */
  #deliver(action: () => void): void {
    setImmediate(() => {
      if (!this.dead) action();
    });
  }
}
