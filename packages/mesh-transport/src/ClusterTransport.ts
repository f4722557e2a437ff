/** What `peer-up` tells about a peer. */
export interface PeerInfo {
  readonly nodeId: string;
  /** Where the peer's routes listen, `host:port`. */
  readonly address: string;
}

/** One peer's answer to a request; failures (timeout, peer down, handler error) are replies too. */
export type RequestReply =
  | { readonly nodeId: string; readonly ok: true; readonly payload: unknown }
  | { readonly nodeId: string; readonly ok: false; readonly error: string };

/** Answers requests on one topic. A thrown error or rejected promise becomes an `ok: false` reply. */
export type RequestHandler = (payload: unknown, fromNodeId: string) => unknown;

/**
 * Events of a transport. For each peer, `peer-up` comes before any `message`/`broadcast` from it,
 * and its messages arrive in the order it sent them until its `peer-down`, which is emitted once.
 */
export interface ClusterTransportEvents {
  'peer-up': [nodeId: string, info: PeerInfo];
  'peer-down': [nodeId: string, reason: string];
  /** A publish on a subject this node subscribes to. */
  message: [subject: string, payload: unknown, fromNodeId: string];
  /** A `broadcast` from a peer, or a `sendTo` addressed to this node. */
  broadcast: [topic: string, payload: unknown, fromNodeId: string];
}

/** What every transport reports about one peer (a transport may add more, as `Mesh` does). */
export interface TransportPeerStats {
  readonly nodeId: string;
  /** Last heartbeat round trip; null before the first. */
  readonly rttMs: number | null;
}

/** What every transport reports from `stats()`: this node and its peers. */
export interface TransportStats {
  readonly nodeId: string;
  readonly uptimeMs: number;
  readonly peers: readonly TransportPeerStats[];
}

/**
 * How cluster code (the Pusher cluster adapter, the cluster rate limiter) talks to the other
 * nodes. `Mesh` implements it over its own TCP mesh, `@meshpush/broker-transport` over NATS or
 * Redis, `MemoryTransport` in memory; `transportContract()` (from `./testing`) is the behaviour
 * they share. Payloads are anything CBOR can carry: plain objects, arrays, strings, numbers,
 * booleans, null, `Uint8Array`/`Buffer`. Nothing is delivered back to the sending node: local
 * delivery is the caller's business.
 *
 * A transport is constructed, its users attach their listeners, then one of them starts it: so
 * every user hears every peer from the first one on, and nothing needs buffering.
 */
export interface ClusterTransport {
  /** Random per process start: a restarted process is a new peer. */
  readonly nodeId: string;
  /** Connects (listens, dials, reaches its broker); rejects with a readable reason. Idempotent. */
  start(): Promise<void>;
  /** Ids of the peers that are up now. */
  peers(): string[];
  /** Counts one more local interest in `subject`; peers learn of it on the first one. */
  subscribe(subject: string): void;
  /** Drops one local interest; peers learn of it when the last one goes. */
  unsubscribe(subject: string): void;
  /** Sends to every peer that subscribes to `subject`, and to no other. */
  publish(subject: string, payload: unknown): void;
  /** Sends to every peer. */
  broadcast(topic: string, payload: unknown): void;
  /** Sends to one peer (emitted there as `broadcast`); false when that peer is not up. */
  sendTo(nodeId: string, topic: string, payload: unknown): boolean;
  /**
   * Settles once every subject subscribed before the call is in effect on every peer that is up:
   * a publish that any of them sends after that reaches this node. Settles after `timeoutMs` at
   * the latest (a paused peer cannot hold the caller), never rejects; at once without peers.
   */
  interestBarrier(timeoutMs: number): Promise<void>;
  /** Adds a listener of `peer-up`, `peer-down`, `message` or `broadcast` (see {@link ClusterTransportEvents}). */
  on<E extends keyof ClusterTransportEvents>(event: E, listener: (...args: ClusterTransportEvents[E]) => void): this;
  /** Removes a listener added with `on`. */
  off<E extends keyof ClusterTransportEvents>(event: E, listener: (...args: ClusterTransportEvents[E]) => void): this;
  /** This node and its peers, for `/cluster` and metrics. */
  stats(): TransportStats;
  /**
   * Why this node cannot reach its peers right now (a broker transport that lost its broker
   * connection), or undefined when it can. Optional: the mesh has no single connection to lose.
   */
  unavailableReason?(): string | undefined;
  /** Leaves gracefully (peers drop this node at once) and releases every socket and timer. */
  close(): Promise<void>;
}

/**
 * Request/reply between nodes, which every transport here also offers (the contract suite checks
 * it); cluster code that only needs the `ClusterTransport` does not depend on it.
 */
export interface RequestingTransport extends ClusterTransport {
  /**
   * Asks one peer or all of them; resolves with one reply per asked peer, never rejects and never
   * hangs: a peer that goes down or misses `timeoutMs` gives an `ok: false` reply at once.
   */
  request(target: string, topic: string, payload: unknown, timeoutMs?: number): Promise<RequestReply[]>;
  /** Registers the handler of a request topic (one per topic); returns its removal. */
  handle(topic: string, handler: RequestHandler): () => void;
}
