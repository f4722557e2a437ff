import type { ClusterTransport } from '@meshpush/mesh-transport';

/** A member of a presence channel, as the app's auth endpoint described it. */
export interface PresenceMember {
  readonly userId: string;
  readonly userInfo: unknown;
}

/** The last event of a cache channel, kept for new subscribers. */
export interface CachedEvent {
  /** The frame exactly as it was sent to subscribers. */
  readonly frame: string;
  readonly event: string;
  readonly data: string;
  /** Wall-clock expiry (ms since the epoch). */
  readonly expiresAtMs: number;
}

/**
 * Why a peer's state changes this node's view. `snapshot`: the peer's whole state arrived (a
 * first contact, or its return after a departure); `departure`: the peer died or left and its
 * state is dropped; `cut-off`: this node lost its broker and drops every peer, though they did
 * not leave.
 */
export interface PeerChange {
  readonly kind: 'snapshot' | 'departure' | 'cut-off';
  readonly peer: string;
}

/** What `GET /cluster` shows about the adapter: always the driver, plus whatever it knows of its peers. */
export interface AdapterStatus {
  readonly driver: string;
  /** This node's id in the cluster (absent for the local adapter). */
  readonly nodeId?: string;
  /** Transport figures: peers, round-trip times, traffic, interest counts. */
  readonly transport?: unknown;
  /** Why this node is cut off from its peers (a broker transport lost its broker), when it is. */
  readonly unavailableReason?: string;
}

/**
 * Delivers a frame to this process's own sockets. The uWS frontend implements it with native
 * topic pub/sub, so one serialised frame is fanned out in C++.
 */
export interface LocalFanout {
  /** Sends `frame` to every local subscriber of the channel except `exceptSocketId`. */
  publishLocal(appId: string, channel: string, frame: string, exceptSocketId?: string): void;
}

/**
 * What the adapter tells the server. Every callback fires on every node for its own sockets,
 * once per transition in that node's view of the cluster, so each client sees each transition once.
 */
export interface AdapterListener {
  /** A user became present (0 → 1 sockets cluster-wide). `originSocketId`: the local socket that joined. */
  memberAdded(appId: string, channel: string, member: PresenceMember, originSocketId?: string): void;
  /** A user's last socket left the channel cluster-wide. */
  memberRemoved(appId: string, channel: string, userId: string): void;
  /** The cluster-wide subscriber count of a channel changed. */
  subscriptionCountChanged(appId: string, channel: string, count: number): void;
  /** The channel got its first subscriber cluster-wide. */
  channelOccupied(appId: string, channel: string): void;
  /** The channel lost its last subscriber cluster-wide. */
  channelVacated(appId: string, channel: string): void;
  /** A signed-in user got their first connection cluster-wide. */
  userOnline(appId: string, userId: string): void;
  /** A signed-in user's last connection closed cluster-wide. */
  userOffline(appId: string, userId: string): void;
  /** Close every local socket signed in as `userId` (terminate_connections). */
  terminateLocalUser(appId: string, userId: string): void;
  /** A peer's state was applied or dropped; the transitions it caused were reported before. */
  peerStateChanged?(change: PeerChange): void;
}

/**
 * Where channel membership lives and how a message reaches every subscriber.
 *
 * The server reports its own sockets' changes (add/remove) and publishes; the adapter keeps the
 * cluster-wide view, answers every read from local memory (no network round trip on a subscribe
 * or a REST read) and reports transitions through the `AdapterListener`.
 *
 * Writing a driver: start from `LocalAdapter` (one process) and keep its observable behaviour;
 * the adapter contract tests run against every implementation.
 */
export interface Adapter {
  /** Short name shown at start and in `/cluster`, e.g. 'local'. */
  readonly driver: string;
  /** This node's id in the cluster ('local' for the local adapter). */
  readonly nodeId: string;
  /** This node and every peer that is up now: who may send a channel's webhooks (rendezvous hashing). */
  liveNodeIds(): readonly string[];
  /**
   * Set while the transitions being reported come from a peer's state rather than from a socket:
   * its snapshot being applied, its departure, or this node dropping every peer because it was
   * cut off from its broker. The webhooks decide from it what to announce.
   */
  readonly peerChange: PeerChange | undefined;

  /** Connects the adapter to the server. Called once, before any other method. */
  start(listener: AdapterListener, fanout: LocalFanout): Promise<void>;
  /** Leaves the cluster and releases resources. */
  close(): Promise<void>;

  /** A local socket subscribed to a channel (`member` for presence channels). */
  addSubscriber(appId: string, channel: string, socketId: string, member?: PresenceMember): void;
  /**
   * While the channel's first local subscriber is still being announced to peers, a promise that
   * settles once every peer would route the channel's messages here (or after a bounded wait);
   * otherwise undefined. The server answers `subscription_succeeded` only then, so an event
   * triggered on any node after a client saw it subscribed reaches that client.
   */
  interestSettled?(appId: string, channel: string): Promise<void> | undefined;
  /** A local socket left a channel (unsubscribe or disconnect). */
  removeSubscriber(appId: string, channel: string, socketId: string): void;
  /** A local socket signed in as `userId`. */
  addUser(appId: string, userId: string, socketId: string): void;
  /** A signed-in local socket closed. */
  removeUser(appId: string, userId: string, socketId: string): void;

  /** Delivers a frame to every subscriber of the channel on every node, except one socket. */
  publish(appId: string, channel: string, frame: string, exceptSocketId?: string): void;
  /** Stores the last event of a cache channel for every node. */
  setCachedEvent(appId: string, channel: string, event: CachedEvent): void;
  /** Closes the user's sockets on every node. */
  terminateUser(appId: string, userId: string): void;
  /**
   * Why this node cannot reach the rest of the cluster right now (`/ready` answers 503 with it),
   * or undefined when it can. Optional: the local adapter has nothing to lose.
   */
  unavailableReason?(): string | undefined;

  /** Occupied channels of an app with their cluster-wide subscriber counts. */
  channels(appId: string): ReadonlyMap<string, number>;
  /** Cluster-wide subscriber count of one channel (0 when vacant). */
  subscriptionCount(appId: string, channel: string): number;
  /** Cluster-wide members of a presence channel: user id → user info. */
  presenceMembers(appId: string, channel: string): ReadonlyMap<string, unknown>;
  /** Whether the user has at least one signed-in connection anywhere. */
  isUserOnline(appId: string, userId: string): boolean;
  /** The cache channel's last event, if any and not expired. */
  cachedEvent(appId: string, channel: string): CachedEvent | undefined;
  /** Open connections of an app, cluster-wide where the adapter knows them (the app's quota). */
  connectionCount(appId: string): number;
  /** Records a local connection opening (+1) or closing (-1). */
  countConnection(appId: string, delta: 1 | -1): void;
  /** A description of the adapter and its cluster for operators. */
  status(): AdapterStatus;
  /**
   * The cluster transport, for services that talk to peers on subjects of their own (the debug
   * console's records). Absent for the local adapter.
   */
  readonly transport?: ClusterTransport;
}
