import type { ClusterTransport } from '@meshpush/mesh-transport';
import { channelKey, parseChannelKey } from '../../util/channelKey.js';
import { silentLogger, type Logger } from '../../util/Logger.js';
import type {
  Adapter,
  AdapterListener,
  AdapterStatus,
  CachedEvent,
  LocalFanout,
  PeerChange,
  PresenceMember,
} from '../Adapter.js';
import type { ClusterView } from '../ClusterView.js';
import type { EventCache } from '../EventCache.js';
import { ViewAdapter, type ViewAdapterOptions } from '../ViewAdapter.js';
import { cacheOp, isOp, OpType, subscribeOp, Topics, type Op } from './ops.js';
import { snapshotOps } from './snapshot.js';

/** The cluster transport did not start (the mesh cannot listen, the broker refuses or is unreachable). */
export class ClusterStartError extends Error {
  override name = 'ClusterStartError';
  /** The adapter's driver name ('cluster', 'nats', 'redis'). */
  readonly driver: string;

  constructor(driver: string, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.driver = driver;
  }
}

/** Options of a {@link ClusterAdapter}, beyond the view's own. */
export interface ClusterAdapterOptions extends ViewAdapterOptions {
  /** @default silentLogger */
  logger?: Logger;
  /** Name shown as the driver (e.g. 'cluster', 'nats'). @default 'cluster' */
  driver?: string;
}

/**
 * Pusher across processes over any `ClusterTransport` (the mesh by default).
 *
 * Each node is the only writer of its own part of the state and sends it as ordered,
 * idempotent ops (coalesced per tick), plus a full snapshot to every peer that comes up.
 * Peers keep read-only replicas and drop one whole when its node dies, so no merge rules are
 * needed and every read is local. Messages go to a channel's subject, which a node subscribes
 * to only while it has local subscribers: uninterested nodes receive nothing.
 */
export class ClusterAdapter extends ViewAdapter implements Adapter {
  readonly driver: string;
  readonly #transport: ClusterTransport;
  readonly #logger: Logger;
  readonly #pending: Op[] = [];
  #flushQueued = false;
  /** Peers up as this adapter has processed them (a dead peer leaves before its state is dropped). */
  readonly #livePeers = new Set<string>();
  #peerChange: PeerChange | undefined;
  #listener: AdapterListener | undefined;
  #fanout: LocalFanout | undefined;
  /** Subjects whose new interest is on its way to peers: settle when every peer has it. */
  readonly #interestInFlight = new Map<string, Promise<void>>();

  /**
   * Over a transport that is not started yet: `start()` listens to it, then starts it, so the
   * adapter hears every peer from the first one on. The adapter owns the transport from then on
   * (`close()` closes it); other users (the cluster rate limiter) only listen to it.
   */
  constructor(transport: ClusterTransport, options: ClusterAdapterOptions = {}) {
    super(options);
    this.#transport = transport;
    this.driver = options.driver ?? 'cluster';
    this.#logger = options.logger ?? silentLogger;
  }

  get nodeId(): string {
    return this.#transport.nodeId;
  }

  get transport(): ClusterTransport {
    return this.#transport;
  }

  get peerChange(): PeerChange | undefined {
    return this.#peerChange;
  }

  liveNodeIds(): readonly string[] {
    return [this.nodeId, ...this.#livePeers];
  }

  /** Listens to the transport and starts it; rejects with a {@link ClusterStartError} when it cannot start. */
  async start(listener: AdapterListener, fanout: LocalFanout): Promise<void> {
    this.#listener = listener;
    this.#fanout = fanout;
    this.createView(listener);
    const transport = this.#transport;
    transport.on('peer-up', this.#onPeerUp);
    transport.on('peer-down', this.#onPeerDown);
    transport.on('broadcast', this.#onBroadcast);
    transport.on('message', this.#onMessage);
    await transport.start().catch((error: unknown) => {
      throw new ClusterStartError(this.driver, error);
    });
  }

  async close(): Promise<void> {
    this.#flush();
    this.#transport.off('peer-up', this.#onPeerUp);
    this.#transport.off('peer-down', this.#onPeerDown);
    this.#transport.off('broadcast', this.#onBroadcast);
    this.#transport.off('message', this.#onMessage);
    await this.#transport.close();
    this.#livePeers.clear();
    this.cache.clear();
  }

  addSubscriber(appId: string, channel: string, socketId: string, member?: PresenceMember): void {
    const change = this.requireView().subscribe(this.nodeId, appId, channel, socketId, member, socketId);
    if (change.subscriptionCount < 0) return;
    if (change.occupancyChanged) this.#announceInterest(channelKey(appId, channel));
    this.#queue(subscribeOp(appId, channel, socketId, member));
  }

  interestSettled(appId: string, channel: string): Promise<void> | undefined {
    return this.#interestInFlight.get(channelKey(appId, channel));
  }

  removeSubscriber(appId: string, channel: string, socketId: string): void {
    const change = this.requireView().unsubscribe(this.nodeId, appId, channel, socketId);
    if (change.subscriptionCount < 0) return;
    if (change.occupancyChanged) this.#transport.unsubscribe(channelKey(appId, channel));
    this.#queue([OpType.Unsubscribe, appId, channel, socketId]);
  }

  addUser(appId: string, userId: string, socketId: string): void {
    this.requireView().userOnline(this.nodeId, appId, userId, socketId);
    this.#queue([OpType.UserOnline, appId, userId, socketId]);
  }

  removeUser(appId: string, userId: string, socketId: string): void {
    this.requireView().userOffline(this.nodeId, appId, userId, socketId);
    this.#queue([OpType.UserOffline, appId, userId, socketId]);
  }

  publish(appId: string, channel: string, frame: string, exceptSocketId?: string): void {
    // State changes queued before this message must reach peers before it (same ordered route).
    this.#flush();
    this.#fanout?.publishLocal(appId, channel, frame, exceptSocketId);
    this.#transport.publish(channelKey(appId, channel), [frame, exceptSocketId ?? null]);
  }

  setCachedEvent(appId: string, channel: string, event: CachedEvent): void {
    this.cache.set(appId, channel, event);
    this.#queue(cacheOp(appId, channel, event));
  }

  terminateUser(appId: string, userId: string): void {
    this.#listener?.terminateLocalUser(appId, userId);
    this.#transport.broadcast(Topics.Terminate, [appId, userId]);
  }

  countConnection(appId: string, delta: 1 | -1): void {
    const view = this.requireView();
    const count = (view.connectionsOf(this.nodeId).get(appId) ?? 0) + delta;
    view.setConnections(this.nodeId, appId, count);
    this.#queue([OpType.Connections, appId, count]);
  }

  status(): AdapterStatus {
    const unavailableReason = this.unavailableReason();
    return {
      driver: this.driver,
      nodeId: this.nodeId,
      transport: this.#transport.stats(),
      ...(unavailableReason && { unavailableReason }),
    };
  }

  unavailableReason(): string | undefined {
    return this.#transport.unavailableReason?.();
  }

  readonly #onPeerUp = (peerId: string): void => {
    this.#livePeers.add(peerId);
    this.#flush();
    const view = this.requireView();
    const ops = snapshotOps(view.ownMemberships(this.nodeId), view.connectionsOf(this.nodeId), this.cache);
    this.#transport.sendTo(peerId, Topics.Snapshot, ops);
  };

  readonly #onPeerDown = (peerId: string, reason: string): void => {
    this.#logger.info('peer left; dropping its sockets and members', { peer: peerId, reason });
    this.#livePeers.delete(peerId);
    // Cut off from its broker, this node sees every peer leave at once, though they did not:
    // the nodes that stayed connected announce what really left (webhooks), this one must not.
    const kind = this.unavailableReason() === undefined ? 'departure' : 'cut-off';
    this.#withPeerChange({ kind, peer: peerId }, () => this.requireView().dropNode(peerId));
  };

  readonly #onBroadcast = (topic: string, payload: unknown, fromNodeId: string): void => {
    if (topic === Topics.Delta) this.#applyOps(payload, fromNodeId);
    else if (topic === Topics.Snapshot) this.#applySnapshot(payload, fromNodeId);
    else if (topic === Topics.Terminate) this.#applyTerminate(payload);
  };

  /** A peer's publish on a channel this node subscribes: to the local subscribers, under the same key. */
  readonly #onMessage = (subject: string, payload: unknown): void => {
    const key = parseChannelKey(subject);
    if (key === undefined || !Array.isArray(payload) || typeof payload[0] !== 'string') return;
    const except = typeof payload[1] === 'string' ? payload[1] : undefined;
    this.#fanout?.publishLocal(key.appId, key.channel, payload[0], except);
  };

  #applyOps(payload: unknown, fromNodeId: string): void {
    if (!Array.isArray(payload)) return;
    const view = this.requireView();
    for (const op of payload) {
      if (!isOp(op)) {
        this.#logger.warn('ignoring a malformed state op from a peer', { peer: fromNodeId });
        continue;
      }
      applyOp(view, this.cache, fromNodeId, op);
    }
  }

  #applySnapshot(payload: unknown, fromNodeId: string): void {
    this.#withPeerChange({ kind: 'snapshot', peer: fromNodeId }, () => this.#applyOps(payload, fromNodeId));
  }

  #withPeerChange(change: PeerChange, apply: () => void): void {
    this.#peerChange = change;
    try {
      apply();
    } finally {
      this.#peerChange = undefined;
    }
    this.#listener?.peerStateChanged?.(change);
  }

  #applyTerminate(payload: unknown): void {
    if (Array.isArray(payload) && typeof payload[0] === 'string' && typeof payload[1] === 'string') {
      this.#listener?.terminateLocalUser(payload[0], payload[1]);
    }
  }

  /**
   * Subscribes the subject, then waits until every peer routes it here (the transport's barrier:
   * a request behind the SUB on each ordered mesh route, a broker's acknowledgement). A paused or
   * dying peer cannot hold subscribers longer than the timeout.
   */
  #announceInterest(subject: string): void {
    this.#transport.subscribe(subject);
    if (this.#transport.peers().length === 0) return;
    const settled = this.#transport.interestBarrier(INTEREST_BARRIER_TIMEOUT_MS).then(() => {
      if (this.#interestInFlight.get(subject) === settled) this.#interestInFlight.delete(subject);
    });
    this.#interestInFlight.set(subject, settled);
  }

  #queue(op: Op): void {
    this.#pending.push(op);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushQueued = false;
    if (this.#pending.length === 0) return;
    this.#transport.broadcast(Topics.Delta, this.#pending.splice(0));
  }
}

/** Longest wait for peers to acknowledge a new interest before answering the subscriber anyway. */
const INTEREST_BARRIER_TIMEOUT_MS = 500;

function applyOp(view: ClusterView, cache: EventCache, nodeId: string, op: Op): void {
  switch (op[0]) {
    case OpType.Subscribe:
      view.subscribe(nodeId, op[1], op[2], op[3], op[4] === null ? undefined : { userId: op[4], userInfo: op[5] });
      return;
    case OpType.Unsubscribe:
      view.unsubscribe(nodeId, op[1], op[2], op[3]);
      return;
    case OpType.UserOnline:
      view.userOnline(nodeId, op[1], op[2], op[3]);
      return;
    case OpType.UserOffline:
      view.userOffline(nodeId, op[1], op[2], op[3]);
      return;
    case OpType.Connections:
      view.setConnections(nodeId, op[1], op[2]);
      return;
    case OpType.CacheEvent:
      cache.set(op[1], op[2], { frame: op[3], event: op[4], data: op[5], expiresAtMs: op[6] });
      return;
  }
}
