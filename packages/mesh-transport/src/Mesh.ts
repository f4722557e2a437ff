import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { connect, type Server, type Socket } from 'node:net';
import type { Encoder } from 'cbor-x';
import { dialableHost, formatAddress, type HostPort } from './address.js';
import type { ClusterTransportEvents, RequestHandler, RequestingTransport, RequestReply } from './ClusterTransport.js';
import { Discovery, jitterMs } from './Discovery.js';
import { createFrameEncoderCbor, FrameError, FrameType, type Frame, type FrameOf } from './frames.js';
import { Interest } from './Interest.js';
import { alignedHeartbeatTimers } from './liveness/alignedTimers.js';
import { Heartbeat } from './liveness/Heartbeat.js';
import { closeServer, listeningPort, peekFirstByte, tryListen } from './listen.js';
import { openMeshWarning, resolveOptions, type MeshOptions, type ResolvedMeshOptions } from './options.js';
import { PEERS_TOPIC, PeerRecovery } from './PeerRecovery.js';
import { Requests } from './Requests.js';
import type { Route } from './Route.js';
import { RouteTable, type PeerDownReason } from './RouteTable.js';
import type { MeshStats, PeerStats } from './stats.js';
import { MeshTls, TLS_HANDSHAKE_BYTE, type MeshTlsOptions } from './tls.js';

/**
 * Every this many checks (5 s with the default 500 ms) a node that lost a peer asks its peers for
 * theirs, and a node with peers re-resolves its named seeds.
 */
export const PEER_LIST_EVERY_CHECKS = 10;

type FrameHandlers = { [T in FrameType]: (route: Route, frame: FrameOf<T>) => void };

/** The request topic of the interest barrier, answered by every node. */
const BARRIER_TOPIC = '$mesh.barrier';

/**
 * A node of a broker-free TCP full mesh. `new Mesh(options)` then `start()` (or
 * {@link Mesh.start}, both at once); every process started with the same host and port (or seeds
 * that reach the mesh) becomes a peer. Frames from a peer are delivered here only, never
 * forwarded: each node acts on its own view of the mesh.
 */
export class Mesh extends EventEmitter<ClusterTransportEvents> implements RequestingTransport {
  readonly nodeId: string = randomBytes(8).toString('hex');
  readonly options: ResolvedMeshOptions;
  readonly #startedAt = performance.now();
  readonly #encoder: Encoder = createFrameEncoderCbor();
  readonly #routes: RouteTable;
  readonly #discovery: Discovery;
  readonly #interest = new Interest<Route>();
  readonly #requests = new Requests();
  readonly #recovery: PeerRecovery;
  readonly #servers: Server[] = [];
  readonly #tls: MeshTls | undefined;
  #listenAddress: HostPort = { host: '', port: 0 };
  #rendezvous: HostPort | undefined;
  #holdsRendezvous = false;
  readonly #heartbeat: Heartbeat;
  #ticks = 0;
  #takeoverTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #starting: Promise<void> | undefined;

  /** `new Mesh(options)` and `start()` in one step. */
  static async start(options: MeshOptions = {}): Promise<Mesh> {
    const mesh = new Mesh(options);
    await mesh.start();
    return mesh;
  }

  /**
   * A node that does nothing until `start()`: listeners attached before it hear every peer
   * from the first one on. Throws a `RangeError` for an invalid option.
   */
  constructor(meshOptions: MeshOptions = {}) {
    super();
    const options = resolveOptions(meshOptions);
    this.options = options;
    this.#tls = options.tls === undefined ? undefined : new MeshTls(options.tls);
    const routeEvents = {
      onPeerUp: (route: Route) => this.#onPeerUp(route),
      onPeerDown: (route: Route, reason: PeerDownReason) => this.#onPeerDown(route, reason),
      onRouteEnded: (route: Route, wasUp: boolean) => this.#onRouteEnded(route, wasUp),
      onFrame: (route: Route, frame: Frame) => this.#onFrame(route, frame),
    };
    this.#routes = new RouteTable(this.nodeId, options, this.#encoder, () => this.#listenAddress, routeEvents);
    this.#discovery = new Discovery({
      nodeId: this.nodeId,
      options,
      hasRouteTo: (nodeId) => this.#routes.hasRouteTo(nodeId),
      dial: (address) => this.#dial(address),
    });
    this.#discovery.onRendezvousLost = () => this.#scheduleTakeover();
    this.#heartbeat = new Heartbeat({
      intervalMs: options.checkIntervalMs,
      beat: () => this.#tick(),
      check: () => this.#routes.checkSilence(),
      timers: alignedHeartbeatTimers,
    });
    this.#recovery = new PeerRecovery({
      peers: () => this.peers(),
      request: (target, topic, payload, timeoutMs) => this.request(target, topic, payload, timeoutMs),
      learn: (peers) => this.#discovery.learn(peers),
    });
    this.#requests.handle(BARRIER_TOPIC, () => null);
    this.#requests.handle(PEERS_TOPIC, () => this.#routes.knownPeers());
  }

  /** Listens, joins the mesh in the background, and resolves once this node accepts routes. */
  start(): Promise<void> {
    this.#starting ??= this.#listen().then(() => this.#begin());
    return this.#starting;
  }

  peers(): string[] {
    return [...this.#routes.upRoutes()].map((route) => route.peerId as string);
  }

  subscribe(subject: string): void {
    if (this.#interest.addLocal(subject)) this.#sendToAll([FrameType.SUB, [subject]]);
  }

  unsubscribe(subject: string): void {
    if (this.#interest.removeLocal(subject)) this.#sendToAll([FrameType.UNSUB, [subject]]);
  }

  publish(subject: string, payload: unknown): void {
    const peers = this.#interest.peersFor(subject);
    if (peers === undefined || peers.size === 0) return;
    const body = this.#encoder.encode([FrameType.PUB, subject, payload]);
    for (const route of peers) route.sendBody(FrameType.PUB, body);
  }

  broadcast(topic: string, payload: unknown): void {
    this.#sendToAll([FrameType.MSG, topic, payload]);
  }

  sendTo(nodeId: string, topic: string, payload: unknown): boolean {
    return this.#routes.peer(nodeId)?.send([FrameType.MSG, topic, payload]) ?? false;
  }

  request(
    target: string,
    topic: string,
    payload: unknown,
    timeoutMs = this.options.requestTimeoutMs,
  ): Promise<RequestReply[]> {
    const targets = target === 'all' ? this.peers() : [target];
    return this.#requests.start(targets, timeoutMs, (nodeId, requestId) => {
      return this.#routes.peer(nodeId)?.send([FrameType.REQ, requestId, topic, payload]) ?? false;
    });
  }

  handle(topic: string, handler: RequestHandler): () => void {
    return this.#requests.handle(topic, handler);
  }

  /**
   * Routes are ordered: a request sent to every peer behind the SUBs is answered only after the
   * peer has processed them. A paused or dying peer holds the caller at most `timeoutMs`.
   */
  async interestBarrier(timeoutMs: number): Promise<void> {
    if (this.peers().length === 0) return;
    await this.request('all', BARRIER_TOPIC, null, timeoutMs);
  }

  /**
   * Swaps the TLS key, certificate and CA for routes opened from now on; routes already up keep
   * their session. Throws a `MeshTlsError` (and keeps the old material) when the new one is
   * unusable, or an `Error` when this node was started without TLS.
   */
  updateTls(tls: MeshTlsOptions): void {
    if (this.#tls === undefined)
      throw new Error('mesh: this node was started without TLS; TLS cannot be turned on while it runs');
    this.#tls.update(tls);
    this.options.logger.info('mesh: TLS material updated for new routes', {
      subject: this.#tls.certificate.subject,
      validTo: this.#tls.certificate.validTo,
    });
  }

  /** The node, its rendezvous, every route with its traffic counters, and totals since start. */
  stats(): MeshStats {
    const now = performance.now();
    const peers: PeerStats[] = [...this.#routes.upRoutes()].map((route) => ({
      nodeId: route.peerId as string,
      address: route.peerAddress === undefined ? '' : formatAddress(route.peerAddress),
      remoteAddress: route.remoteAddress,
      dialed: route.dialed !== undefined,
      rttMs: route.rttMs ?? null,
      uptimeMs: now - (route.upAt ?? now),
      queuedBytes: route.queuedBytes,
      subjects: this.#interest.remoteCount(route),
      tls: route.secure ? { peerCertificate: route.peerCertificate ?? null } : null,
      ...route.traffic.snapshot(),
    }));
    return {
      nodeId: this.nodeId,
      clusterName: this.options.clusterName,
      address: formatAddress(this.#listenAddress),
      rendezvous: this.#rendezvous === undefined ? null : formatAddress(this.#rendezvous),
      holdsRendezvous: this.#holdsRendezvous,
      uptimeMs: now - this.#startedAt,
      subjects: this.#interest.localCount,
      peers,
      routes: this.#routes.size,
      totals: this.#routes.totals().snapshot(),
      slowConsumers: this.#routes.slowConsumers,
      refusedRoutes: this.#routes.refusedRoutes,
      tls:
        this.#tls === undefined
          ? null
          : { certificate: this.#tls.certificate, earliestExpiry: this.#tls.earliestExpiry },
    };
  }

  /** Says BYE to every peer, stops listening and dialling; resolves when every socket is closed. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#heartbeat.stop();
    clearTimeout(this.#takeoverTimer);
    this.#discovery.stop();
    this.#requests.closeAll();
    const servers = this.#servers.splice(0).map(closeServer);
    await this.#routes.closeAll('node leaving');
    await Promise.all(servers);
    this.options.logger.info('mesh: closed', { nodeId: this.nodeId });
  }

  async #listen(): Promise<void> {
    const { host, port } = this.options;
    const onConnection = (socket: Socket): void => this.#accept(socket);
    if (port !== 0) {
      this.#rendezvous = { host: dialableHost(host), port };
      const server = await tryListen(host, port, onConnection);
      if (server !== undefined) {
        this.#servers.push(server);
        this.#holdsRendezvous = true;
        this.#listenAddress = { host, port };
        return;
      }
    }
    const server = await tryListen(host, 0, onConnection);
    if (server === undefined) throw new Error(`mesh: cannot listen on ${host}`);
    this.#servers.push(server);
    this.#listenAddress = { host, port: listeningPort(server) };
  }

  #begin(): void {
    const { logger } = this.options;
    const warning = openMeshWarning(this.options);
    if (warning !== undefined) logger.warn(warning, { host: this.options.host });
    this.#discovery.start(this.#holdsRendezvous ? undefined : this.#rendezvous);
    this.#heartbeat.start();
    logger.info('mesh: started', {
      nodeId: this.nodeId,
      address: formatAddress(this.#listenAddress),
      holdsRendezvous: this.#holdsRendezvous,
    });
  }

  /**
   * Once per check interval: a PING on quiet routes only. Seed lookups run every check while this
   * node is alone and every few checks otherwise; lost peers are looked for every few checks.
   */
  #tick(): void {
    this.#routes.keepAlive();
    const everyFew = ++this.#ticks % PEER_LIST_EVERY_CHECKS === 0;
    if (everyFew || this.peers().length === 0) this.#discovery.resolveSeeds();
    if (everyFew) this.#recovery.ask(this.options.nodeTimeoutMs);
  }

  #accept(socket: Socket): void {
    if (this.#closing !== undefined) socket.destroy();
    else if (this.#tls === undefined) this.#routes.add(socket);
    else {
      this.#acceptTls(socket, this.#tls).catch((error: unknown) => {
        socket.destroy();
        this.options.logger.error('mesh: could not start a TLS handshake', { error });
      });
    }
  }

  /**
   * A TLS node looks at the first byte before the TLS layer does: a peer speaking the plain mesh
   * protocol gets a clear-text BYE saying why (so it can log it), never a clear-text session.
   */
  async #acceptTls(socket: Socket, tls: MeshTls): Promise<void> {
    const { nodeTimeoutMs } = this.options;
    const first = await peekFirstByte(socket, nodeTimeoutMs);
    if (first === undefined || this.#closing !== undefined) return void socket.destroy();
    if (first !== TLS_HANDSHAKE_BYTE)
      return this.#routes.refusePlain(socket, 'this node requires mesh TLS and the peer does not use it');
    const onSecure = (secure: Socket): void => {
      if (this.#closing !== undefined) secure.destroy();
      else this.#routes.add(secure);
    };
    tls.accept(socket, nodeTimeoutMs, onSecure, (reason, remote) => this.#routes.noteRefused(reason, remote));
  }

  #dial(address: HostPort): void {
    const socket =
      this.#tls === undefined ? connect({ host: address.host, port: address.port }) : this.#tls.dial(address);
    this.#routes.add(socket, address);
  }

  #sendToAll(frame: Frame): void {
    let body: Buffer | undefined;
    for (const route of this.#routes.upRoutes()) {
      body ??= this.#encoder.encode(frame);
      route.sendBody(frame[0], body);
    }
  }

  #scheduleTakeover(): void {
    if (
      this.#closing !== undefined ||
      this.#holdsRendezvous ||
      this.#rendezvous === undefined ||
      this.#takeoverTimer !== undefined
    )
      return;
    const delayMs = this.options.masterTimeoutMs + jitterMs();
    this.#takeoverTimer = setTimeout(() => void this.#takeover(), delayMs).unref();
  }

  /** One survivor wins the bind; the others dial whoever holds the port now. */
  async #takeover(): Promise<void> {
    this.#takeoverTimer = undefined;
    const rendezvous = this.#rendezvous;
    const holder = this.#discovery.rendezvousHolder();
    if (this.#closing !== undefined || rendezvous === undefined || (holder !== undefined && this.#routes.peer(holder)))
      return;
    const server = await tryListen(this.options.host, rendezvous.port, (socket) => this.#accept(socket)).catch(
      () => undefined,
    );
    if (server === undefined) return this.#discovery.dialRendezvousNow();
    if (this.#closing !== undefined) return void closeServer(server);
    this.#servers.push(server);
    this.#holdsRendezvous = true;
    this.#discovery.forgetRendezvous();
    this.options.logger.info('mesh: took over the rendezvous', {
      nodeId: this.nodeId,
      rendezvous: formatAddress(rendezvous),
    });
  }

  #onPeerUp(route: Route): void {
    const nodeId = route.peerId as string;
    const address = route.peerAddress === undefined ? '' : formatAddress(route.peerAddress);
    this.options.logger.info('mesh: peer up', { nodeId, address, dialed: route.dialed !== undefined });
    const subjects = this.#interest.localSubjects();
    if (subjects.length > 0) route.send([FrameType.SUB, subjects]);
    const others = this.#routes.knownPeers().filter(([peerId]) => peerId !== nodeId);
    if (others.length > 0) route.send([FrameType.GOSSIP, others]);
    if (route.dialed === undefined && route.peerAddress !== undefined) this.#gossip(route);
    this.#discovery.peerUp(nodeId, route.dialed, route.peerAddress);
    this.#recovery.peerUp(nodeId);
    if (this.#closing === undefined) this.#emitSafe('peer-up', nodeId, { nodeId, address });
  }

  /**
   * The accepting node announces a newcomer to its other peers, once. Together with the peer list
   * each side sends on route up, any two nodes with a common peer learn of each other. Nothing
   * learned from GOSSIP is passed on.
   */
  #gossip(newcomer: Route): void {
    const { host, port } = newcomer.peerAddress as HostPort;
    const frame: Frame = [FrameType.GOSSIP, [[newcomer.peerId as string, host, port]]];
    for (const route of this.#routes.upRoutes()) if (route !== newcomer) route.send(frame);
  }

  #onPeerDown(route: Route, reason: PeerDownReason): void {
    const nodeId = route.peerId as string;
    this.#interest.dropPeer(route);
    this.#requests.onPeerDown(nodeId);
    this.#recovery.peerDown(nodeId, reason);
    this.options.logger.info('mesh: peer down', { nodeId, reason, detail: route.closeReason });
    if (this.#closing === undefined) this.#emitSafe('peer-down', nodeId, reason);
  }

  #onRouteEnded(route: Route, wasUp: boolean): void {
    const { dialed, peerId, peerAddress, errorCode } = route;
    this.#discovery.routeEnded({ dialed, peerId, peerAddress, errorCode, wasUp, kind: route.closeKind ?? 'io' });
  }

  #onFrame(route: Route, frame: Frame): void {
    (this.#handlers[frame[0]] as (route: Route, frame: Frame) => void)(route, frame);
  }

  /** One small function per frame type; PUB is the hot path, so frames are read by index. */
  readonly #handlers: FrameHandlers = {
    [FrameType.HELLO]: () => this.#outOfPlace('HELLO'),
    [FrameType.AUTH]: () => this.#outOfPlace('AUTH'),
    [FrameType.READY]: () => this.#outOfPlace('READY'),
    [FrameType.PING]: (route, frame) => route.onPing(frame),
    [FrameType.SUB]: (route, frame) => this.#interest.addRemote(route, frame[1]),
    [FrameType.UNSUB]: (route, frame) => this.#interest.removeRemote(route, frame[1]),
    [FrameType.PUB]: (route, frame) => this.#deliver(route, frame[1], frame[2]),
    [FrameType.MSG]: (route, frame) => this.#emitSafe('broadcast', frame[1], frame[2], route.peerId as string),
    [FrameType.REQ]: (route, frame) => this.#answer(route, frame[1], frame[2], frame[3]),
    [FrameType.REP]: (route, frame) => this.#requests.onReply(route.peerId as string, frame[1], frame[2], frame[3]),
    [FrameType.GOSSIP]: (_route, frame) => this.#discovery.learn(frame[1]),
    [FrameType.BYE]: (route, frame) => route.close(`peer left: ${frame[1]}`, 'bye'),
  };

  /** A publish that crossed an UNSUB in flight is dropped: `message` is only for subscribed subjects. */
  #deliver(route: Route, subject: string, payload: unknown): void {
    if (!this.#interest.hasLocal(subject)) return;
    try {
      this.emit('message', subject, payload, route.peerId as string);
    } catch (error) {
      this.options.logger.error('mesh: a "message" listener threw', { error });
    }
  }

  #outOfPlace(name: string): never {
    throw new FrameError(`${name} on a route that is already up`);
  }

  /** Replies on the route the request came on; if that route is gone, the asker has settled already. */
  #answer(route: Route, requestId: number, topic: string, payload: unknown): void {
    const reply = (ok: boolean, result: unknown): void => void route.send([FrameType.REP, requestId, ok, result]);
    void this.#requests
      .answer(topic, payload, route.peerId as string)
      .then(([ok, result]) => reply(ok, result))
      .catch((error: unknown) => reply(false, `reply not sendable: ${(error as Error).message}`))
      .catch((error: unknown) => this.options.logger.error('mesh: could not reply to a request', { error }));
  }

  /** A throwing listener is the application's bug: it is logged, and the route carries on. */
  #emitSafe<E extends keyof ClusterTransportEvents>(event: E, ...args: ClusterTransportEvents[E]): void {
    try {
      (this.emit as (event: E, ...args: ClusterTransportEvents[E]) => boolean)(event, ...args);
    } catch (error) {
      this.options.logger.error(`mesh: a "${event}" listener threw`, { error });
    }
  }
}
