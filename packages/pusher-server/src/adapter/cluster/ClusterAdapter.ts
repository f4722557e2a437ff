import type { ClusterTransport } from '@meshpush/mesh-transport';
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
  /** Transport events that arrived before `start()`, replayed in order by it. */
  readonly #early: Array<() => void> = [];
  readonly #peersBeforeUs: string[];
  /** Peers up as this adapter has processed them (a dead peer leaves before its state is dropped). */
  readonly #livePeers = new Set<string>();
  #peerChange: PeerChange | undefined;
  #listener: AdapterListener | undefined;
  #fanout: LocalFanout | undefined;
  /** Subjects whose new interest is on its way to peers: settle when every peer has it. */
  readonly #interestInFlight = new Map<string, Promise<void>>();
  readonly #removeBarrierHandler: () => void;

  /**
   * Listens to the transport at once, so that nothing a peer sends between the transport's
   * start and the server's start (a snapshot, above all) is lost: it is replayed by `start()`.
   */
  constructor(transport: ClusterTransport, options: ClusterAdapterOptions = {}) {
    super(options);
    this.#transport = transport;
    this.driver = options.driver ?? 'cluster';
    this.#logger = options.logger ?? silentLogger;
    this.#peersBeforeUs = transport.peers();
    transport.on('peer-up', this.#onPeerUp);
    transport.on('peer-down', this.#onPeerDown);
    transport.on('broadcast', this.#onBroadcast);
    transport.on('message', this.#onMessage);
    this.#removeBarrierHandler = transport.handle(Topics.Barrier, () => null);
  }

  get nodeId(): string {
    return this.#transport.nodeId;
  }

  get peerChange(): PeerChange | undefined {
    return this.#peerChange;
  }

  liveNodeIds(): readonly string[] {
    return [this.nodeId, ...this.#livePeers];
  }

  async start(listener: AdapterListener, fanout: LocalFanout): Promise<void> {
    this.#listener = listener;
    this.#fanout = fanout;
    this.createView(listener);
    for (const replay of this.#early.splice(0)) replay();
    // Peers that were up before the constructor listened: their snapshots were missed, ask again.
    for (const peer of this.#peersBeforeUs) {
      this.#onPeerUp(peer);
      this.#transport.sendTo(peer, Topics.SnapshotRequest, null);
    }
  }

  async close(): Promise<void> {
    this.#flush();
    this.#transport.off('peer-up', this.#onPeerUp);
    this.#transport.off('peer-down', this.#onPeerDown);
    this.#transport.off('broadcast', this.#onBroadcast);
    this.#transport.off('message', this.#onMessage);
    this.#removeBarrierHandler();
    await this.#transport.close();
    this.#livePeers.clear();
    this.cache.clear();
  }

  addSubscriber(appId: string, channel: string, socketId: string, member?: PresenceMember): void {
    const change = this.requireView().subscribe(this.nodeId, appId, channel, socketId, member, socketId);
    if (change.subscriptionCount < 0) return;
    if (change.occupancyChanged) this.#announceInterest(subjectOf(appId, channel));
    this.#queue(subscribeOp(appId, channel, socketId, member));
  }

  interestSettled(appId: string, channel: string): Promise<void> | undefined {
    return this.#interestInFlight.get(subjectOf(appId, channel));
  }

  removeSubscriber(appId: string, channel: string, socketId: string): void {
    const change = this.requireView().unsubscribe(this.nodeId, appId, channel, socketId);
    if (change.subscriptionCount < 0) return;
    if (change.occupancyChanged) this.#transport.unsubscribe(subjectOf(appId, channel));
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
    this.#transport.publish(subjectOf(appId, channel), [frame, exceptSocketId ?? null]);
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
    if (!this.started) {
      this.#early.push(() => this.#onPeerUp(peerId));
      return;
    }
    this.#livePeers.add(peerId);
    this.#flush();
    const view = this.requireView();
    const ops = snapshotOps(view.ownMemberships(this.nodeId), view.connectionsOf(this.nodeId), this.cache);
    this.#transport.sendTo(peerId, Topics.Snapshot, ops);
  };

  readonly #onPeerDown = (peerId: string, reason: string): void => {
    if (!this.started) {
      this.#early.push(() => this.#onPeerDown(peerId, reason));
      return;
    }
    this.#logger.info('peer left; dropping its sockets and members', { peer: peerId, reason });
    this.#livePeers.delete(peerId);
    // Cut off from its broker, this node sees every peer leave at once, though they did not:
    // the nodes that stayed connected announce what really left (webhooks), this one must not.
    const kind = this.unavailableReason() === undefined ? 'departure' : 'cut-off';
    this.#withPeerChange({ kind, peer: peerId }, () => this.requireView().dropNode(peerId));
  };

  readonly #onBroadcast = (topic: string, payload: unknown, fromNodeId: string): void => {
    if (!this.started) {
      this.#early.push(() => this.#onBroadcast(topic, payload, fromNodeId));
      return;
    }
    if (topic === Topics.Delta) this.#applyOps(payload, fromNodeId);
    else if (topic === Topics.Snapshot) this.#applySnapshot(payload, fromNodeId);
    else if (topic === Topics.SnapshotRequest) this.#onPeerUp(fromNodeId);
    else if (topic === Topics.Terminate) this.#applyTerminate(payload);
  };

  readonly #onMessage = (subject: string, payload: unknown): void => {
    // Before start() no local socket exists, so there is nobody to deliver to.
    const separator = subject.indexOf(SUBJECT_SEPARATOR);
    if (separator < 0 || !Array.isArray(payload) || typeof payload[0] !== 'string') return;
    const except = typeof payload[1] === 'string' ? payload[1] : undefined;
    this.#fanout?.publishLocal(subject.slice(0, separator), subject.slice(separator + 1), payload[0], except);
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
   * Subscribes the subject, then waits until peers route it here: the transport's own barrier
   * (a broker acknowledging the subscription), or else a request behind the SUB on every ordered
   * route, which a peer answers only after it has processed the SUB. A paused or dying peer
   * cannot hold subscribers longer than the timeout.
   */
  #announceInterest(subject: string): void {
    this.#transport.subscribe(subject);
    if (this.#transport.peers().length === 0) return;
    const barrier = this.#transport.interestBarrier
      ? this.#transport.interestBarrier(INTEREST_BARRIER_TIMEOUT_MS)
      : this.#transport.request('all', Topics.Barrier, null, INTEREST_BARRIER_TIMEOUT_MS);
    const settled = barrier.then(() => {
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

const SUBJECT_SEPARATOR = '\u001f';

/** Longest wait for peers to acknowledge a new interest before answering the subscriber anyway. */
const INTEREST_BARRIER_TIMEOUT_MS = 500;

function subjectOf(appId: string, channel: string): string {
  return `${appId}${SUBJECT_SEPARATOR}${channel}`;
}

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
