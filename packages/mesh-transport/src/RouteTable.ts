import type { Socket } from 'node:net';
import type { Encoder } from 'cbor-x';
import type { HostPort } from './address.js';
import { Liveness } from './liveness/Liveness.js';
import { encodeFrame, FrameType, type Frame, type PeerAddress } from './frames.js';
import type { ResolvedMeshOptions } from './options.js';
import { Route, type CloseKind, type RouteHost } from './Route.js';
import { resolveDuplicateRoutes, type RouteCandidate } from './routeRule.js';
import { Traffic } from './Traffic.js';

/** What the route table tells its node. */
export interface RouteTableEvents {
  /** A peer's route is up; called before any frame of that route is handed to `onFrame`. */
  onPeerUp(route: Route): void;
  /** The up route of a peer is gone; called once per up route. */
  onPeerDown(route: Route, reason: PeerDownReason): void;
  /** Any route closed (after `onPeerDown` when it was up). */
  onRouteEnded(route: Route, wasUp: boolean): void;
  onFrame(route: Route, frame: Frame): void;
}

/** The `reason` of a `peer-down` event. */
export type PeerDownReason =
  'bye' | 'timeout' | 'slow-consumer' | 'protocol-error' | 'connection-lost' | 'replaced' | 'closed';

const downReasons: Record<CloseKind, PeerDownReason> = {
  bye: 'bye',
  timeout: 'timeout',
  'slow-consumer': 'slow-consumer',
  protocol: 'protocol-error',
  refused: 'protocol-error',
  rejected: 'protocol-error',
  duplicate: 'replaced',
  self: 'closed',
  replaced: 'replaced',
  io: 'connection-lost',
  local: 'closed',
};

interface Candidate extends RouteCandidate {
  readonly route: Route;
}

/**
 * Every route of a node: which one is up for each peer (the duplicate-route rule), coalesced
 * flushing once per tick, heartbeats, and traffic totals that outlive the routes.
 */
export class RouteTable implements RouteHost {
  readonly nodeId: string;
  readonly options: ResolvedMeshOptions;
  readonly encoder: Encoder;
  slowConsumers = 0;
  refusedRoutes = 0;
  readonly #listenAddress: () => HostPort;
  readonly #events: RouteTableEvents;
  readonly #routes = new Set<Route>();
  readonly #peers = new Map<string, Route>();
  readonly #endedTraffic = new Traffic();
  /** The up routes' silence; a route's handshake has its own deadline. */
  readonly #liveness: Liveness<Route>;
  #flushQueue: Route[] = [];
  #flushPending = false;

  constructor(
    nodeId: string,
    options: ResolvedMeshOptions,
    encoder: Encoder,
    listenAddress: () => HostPort,
    events: RouteTableEvents,
  ) {
    this.nodeId = nodeId;
    this.options = options;
    this.encoder = encoder;
    this.#listenAddress = listenAddress;
    this.#events = events;
    this.#liveness = new Liveness({ nodeTimeoutMs: options.nodeTimeoutMs });
  }

  add(socket: Socket, dialed?: HostPort): Route {
    const route = new Route(this, socket, dialed);
    this.#routes.add(route);
    return route;
  }

  /** A connection refused before it became a route (a failed TLS handshake): counted and logged. */
  noteRefused(reason: string, remote: string): void {
    this.refusedRoutes++;
    this.options.logger.warn('mesh: refused route', { remote, reason });
  }

  /** Refuses a connection that speaks the plain protocol to a TLS node, with a clear-text BYE it can log. */
  refusePlain(socket: Socket, reason: string): void {
    this.noteRefused(reason, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`);
    socket.on('error', () => {});
    // Keep reading (and dropping) so that the peer's hang-up is seen and the socket closes.
    socket.resume();
    socket.end(encodeFrame(this.encoder, [FrameType.BYE, reason]));
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  /** The up route of `nodeId`. */
  peer(nodeId: string): Route | undefined {
    return this.#peers.get(nodeId);
  }

  upRoutes(): IterableIterator<Route> {
    return this.#peers.values();
  }

  get size(): number {
    return this.#routes.size;
  }

  /** Up, or in a handshake that already knows the peer's id. */
  hasRouteTo(nodeId: string): boolean {
    if (this.#peers.has(nodeId)) return true;
    for (const route of this.#routes) if (route.peerId === nodeId && route.state !== 'closed') return true;
    return false;
  }

  /** A PING on every up route that has been quiet (the heartbeat's beat). */
  keepAlive(): void {
    const now = performance.now();
    const { checkIntervalMs } = this.options;
    for (const route of this.#peers.values()) route.keepAlive(now, checkIntervalMs);
  }

  /** Closes up routes silent for the node timeout, and handshakes that took as long (the heartbeat's check). */
  checkSilence(): void {
    this.#liveness.sweep((route, silentMs) =>
      route.close(`nothing received for ${Math.round(silentMs)} ms`, 'timeout'),
    );
    const now = performance.now();
    for (const route of this.#routes) route.checkHandshake(now);
  }

  heard(route: Route): void {
    if (route.state === 'up') this.#liveness.heard(route);
  }

  /** Traffic of every route since start, closed ones included. */
  totals(): Traffic {
    const totals = new Traffic();
    totals.add(this.#endedTraffic);
    for (const route of this.#routes) totals.add(route.traffic);
    return totals;
  }

  /** Says BYE on up routes, drops the others, and resolves when every socket is closed. */
  async closeAll(reason: string): Promise<void> {
    const closed = [...this.#routes].map((route) => new Promise<void>((resolve) => route.onFinallyClosed(resolve)));
    for (const route of this.#routes) route.close(reason, 'local', route.state === 'up');
    await Promise.all(closed);
  }

  listenAddress(): HostPort {
    return this.#listenAddress();
  }

  /** The up peers and their route listeners, as GOSSIP carries them. */
  knownPeers(): PeerAddress[] {
    const known: PeerAddress[] = [];
    for (const [nodeId, route] of this.#peers) {
      if (route.peerAddress !== undefined) known.push([nodeId, route.peerAddress.host, route.peerAddress.port]);
    }
    return known;
  }

  onAuthenticated(route: Route): void {
    if (route.state === 'authenticated') this.#settle(route.peerId as string);
  }

  /** Only the lower node id of a pair sends READY, so this side follows: a READY wins over an older route. */
  onReady(route: Route): void {
    const peerId = route.peerId as string;
    const previous = this.#peers.get(peerId);
    if (previous !== undefined) {
      this.#peers.delete(peerId);
      previous.close('replaced by a new route from the same peer', 'replaced');
      this.#events.onPeerDown(previous, 'replaced');
    }
    this.#bringUp(route);
  }

  onFrame(route: Route, frame: Frame): void {
    this.#events.onFrame(route, frame);
  }

  onClosed(route: Route): void {
    this.#routes.delete(route);
    this.#liveness.forget(route);
    this.#endedTraffic.add(route.traffic);
    if (route.closeKind === 'slow-consumer') this.slowConsumers++;
    if (route.closeKind === 'refused') this.refusedRoutes++;
    const peerId = route.peerId;
    const wasUp = peerId !== undefined && this.#peers.get(peerId) === route;
    if (wasUp) {
      this.#peers.delete(peerId);
      this.#events.onPeerDown(route, downReasons[route.closeKind ?? 'io']);
    } else if (peerId !== undefined && this.nodeId < peerId) {
      this.#settle(peerId);
    }
    this.#events.onRouteEnded(route, wasUp);
  }

  scheduleFlush(route: Route): void {
    this.#flushQueue.push(route);
    if (this.#flushPending) return;
    this.#flushPending = true;
    setImmediate(() => this.#flushAll());
  }

  #flushAll(): void {
    const queue = this.#flushQueue;
    this.#flushQueue = [];
    this.#flushPending = false;
    for (const route of queue) route.flush();
  }

  /** The lower node id of a pair applies the duplicate-route rule to every route to `peerId`. */
  #settle(peerId: string): void {
    const candidates: Candidate[] = [];
    for (const route of this.#routes) {
      const state = route.state;
      if (route.peerId !== peerId || (state !== 'pending' && state !== 'authenticated' && state !== 'up')) continue;
      candidates.push({ route, state, dialerId: route.dialerId, openedAt: route.openedAt });
    }
    const verdict = resolveDuplicateRoutes(candidates);
    for (const loser of verdict.close) loser.route.close('duplicate route', 'duplicate', true);
    if (verdict.keep === undefined) return;
    verdict.keep.route.send([FrameType.READY]);
    this.#bringUp(verdict.keep.route);
  }

  #bringUp(route: Route): void {
    route.markUp();
    this.#liveness.heard(route);
    // The first PING of a session is answered at once: both sides know the round trip right away.
    route.ping();
    this.#peers.set(route.peerId as string, route);
    this.#events.onPeerUp(route);
  }
}
