import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  Heartbeat,
  Requests,
  silentLogger,
  type ClusterTransportEvents,
  type RequestingTransport,
  type Logger,
  type RequestHandler,
  type RequestReply,
} from '@meshpush/mesh-transport';
import type { BrokerConnection, BrokerConnectionStatus } from './BrokerConnection.js';
import { Chunker } from './Chunker.js';
import { PeerLinks, type LinkStatus } from './PeerLinks.js';
import type { SubjectNaming } from './subjects.js';
import { Kind, WireCodec, type WireMessage } from './wire.js';

/** Options of {@link BrokerTransport}. Durations in milliseconds. */
export interface BrokerTransportOptions {
  readonly connection: BrokerConnection;
  readonly naming: SubjectNaming;
  /** Heartbeat interval (soketi's CLUSTER_CHECK_INTERVAL). @default 500 */
  readonly checkIntervalMs?: number;
  /** Silence after which a peer is down (CLUSTER_NODE_TIMEOUT). @default 2000 */
  readonly nodeTimeoutMs?: number;
  /** Default timeout of `request`. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** @default a random id */
  readonly nodeId?: string;
  /** @default silentLogger */
  readonly logger?: Logger;
}

/** `stats()` of a broker transport: peers with heartbeat ages, and the broker connection. */
export interface BrokerTransportStats {
  readonly nodeId: string;
  readonly uptimeMs: number;
  readonly transport: string;
  readonly broker: BrokerConnectionStatus;
  readonly subjects: number;
  readonly peers: ReadonlyArray<{ nodeId: string; rttMs: null; lastHeardAgoMs: number }>;
  /** Nodes heard from whose link is not up yet. */
  readonly joining: readonly string[];
  readonly heartbeatIntervalMs: number;
  readonly nodeTimeoutMs: number;
}

/**
 * A `ClusterTransport` over a pub/sub broker (NATS, Redis). The broker routes by interest: each
 * channel subject is a broker subject this node subscribes to while it has local interest.
 * Liveness comes from heartbeats on one all-nodes subject, and each pair of nodes agrees on a
 * link (see `PeerLinks`) so that peer-up/peer-down behave as over a mesh route: peer-up
 * before any message, a fresh snapshot after each (re)link, and both sides resync after a broker
 * reconnect. Order holds because one sender's messages travel one broker connection to one
 * receiving connection.
 */
export class BrokerTransport extends EventEmitter implements RequestingTransport {
  readonly nodeId: string;
  readonly #connection: BrokerConnection;
  readonly #naming: SubjectNaming;
  readonly #logger: Logger;
  readonly #links: PeerLinks;
  readonly #requests = new Requests();
  readonly #codec = new WireCodec();
  readonly #chunker = new Chunker();
  readonly #interest = new Map<string, number>();
  /** Broker subject → transport subject, for the subjects this node subscribes to. */
  readonly #subjects = new Map<string, string>();
  readonly #checkIntervalMs: number;
  readonly #nodeTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #startedAt = performance.now();
  readonly #heartbeat: Heartbeat;
  #connected = false;
  #starting: Promise<void> | undefined;
  #closed = false;

  constructor(options: BrokerTransportOptions) {
    super();
    this.nodeId = options.nodeId ?? randomBytes(8).toString('hex');
    this.#connection = options.connection;
    this.#naming = options.naming;
    this.#logger = options.logger ?? silentLogger;
    this.#checkIntervalMs = options.checkIntervalMs ?? 500;
    this.#nodeTimeoutMs = options.nodeTimeoutMs ?? 2000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.#links = new PeerLinks(
      this.nodeId,
      this.#nodeTimeoutMs,
      {
        sendHello: (peer, linkId) => this.#sendToInbox(peer, [Kind.Hello, this.nodeId, linkId]),
        sendAck: (peer, linkId) => this.#sendToInbox(peer, [Kind.Ack, this.nodeId, linkId]),
        up: (peer) => this.#peerUp(peer),
        down: (peer, reason) => this.#peerDown(peer, reason),
      },
      undefined,
      helloRetryMs(this.#checkIntervalMs),
    );
    this.#heartbeat = new Heartbeat({
      intervalMs: this.#checkIntervalMs,
      beat: () => this.#beat(),
      check: () => {
        if (this.#connected) this.#links.check();
      },
    });
  }

  /**
   * Connects, subscribes to the all-nodes subject and this node's inbox, and starts heartbeating;
   * rejects with a readable message when the broker refuses or cannot be reached. Idempotent.
   */
  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#connection.subscribe(this.#naming.all);
    this.#connection.subscribe(this.#naming.inbox(this.nodeId));
    await this.#connection.open({
      message: (subject, data) => this.#onData(subject, data),
      connected: () => this.#onConnected(),
      disconnected: (reason) => this.#onDisconnected(reason),
    });
    this.#heartbeat.start();
  }

  peers(): string[] {
    return this.#links.upPeers();
  }

  subscribe(subject: string): void {
    const count = (this.#interest.get(subject) ?? 0) + 1;
    this.#interest.set(subject, count);
    if (count > 1) return;
    const brokerSubject = this.#naming.channel(subject);
    this.#subjects.set(brokerSubject, subject);
    this.#connection.subscribe(brokerSubject);
  }

  unsubscribe(subject: string): void {
    const count = (this.#interest.get(subject) ?? 0) - 1;
    if (count > 0) {
      this.#interest.set(subject, count);
      return;
    }
    if (!this.#interest.delete(subject)) return;
    const brokerSubject = this.#naming.channel(subject);
    this.#subjects.delete(brokerSubject);
    this.#connection.unsubscribe(brokerSubject);
  }

  publish(subject: string, payload: unknown): void {
    this.#send(this.#naming.channel(subject), [Kind.Publish, this.nodeId, payload]);
  }

  broadcast(topic: string, payload: unknown): void {
    this.#send(this.#naming.all, [Kind.Topic, this.nodeId, topic, payload]);
  }

  sendTo(nodeId: string, topic: string, payload: unknown): boolean {
    if (!this.#links.isUp(nodeId)) return false;
    this.#sendToInbox(nodeId, [Kind.Topic, this.nodeId, topic, payload]);
    return true;
  }

  request(
    target: string,
    topic: string,
    payload: unknown,
    timeoutMs = this.#requestTimeoutMs,
  ): Promise<RequestReply[]> {
    const targets = target === 'all' ? this.peers() : [target];
    return this.#requests.start(targets, timeoutMs, (nodeId, requestId) => {
      if (!this.#links.isUp(nodeId)) return false;
      this.#sendToInbox(nodeId, [Kind.Request, this.nodeId, requestId, topic, payload]);
      return true;
    });
  }

  handle(topic: string, handler: RequestHandler): () => void {
    return this.#requests.handle(topic, handler);
  }

  /** The broker routes by its own subscriptions: once they are active, every peer's publish arrives. */
  interestBarrier(timeoutMs: number): Promise<void> {
    if (this.peers().length === 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    return Promise.race([this.#connection.subscriptionsActive(), timeout]).finally(() => clearTimeout(timer));
  }

  unavailableReason(): string | undefined {
    if (this.#connected || this.#closed) return undefined;
    const { driver, endpoint, reason } = this.#connection.status();
    return `${driver} connection to ${endpoint} lost${reason ? `: ${reason}` : ''}; reconnecting`;
  }

  stats(): BrokerTransportStats {
    const links = this.#links.status();
    return {
      nodeId: this.nodeId,
      uptimeMs: Math.round(performance.now() - this.#startedAt),
      transport: this.#connection.status().driver,
      broker: this.#connection.status(),
      subjects: this.#interest.size,
      peers: links
        .filter((l) => l.up)
        .map((l: LinkStatus) => ({ nodeId: l.nodeId, rttMs: null, lastHeardAgoMs: l.lastHeardAgoMs })),
      joining: links.filter((l) => !l.up).map((l) => l.nodeId),
      heartbeatIntervalMs: this.#checkIntervalMs,
      nodeTimeoutMs: this.#nodeTimeoutMs,
    };
  }

  /** Says BYE so peers drop this node at once, then closes the broker connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#connected) this.#send(this.#naming.all, [Kind.Bye, this.nodeId]);
    this.#closed = true;
    this.#connected = false;
    this.#heartbeat.stop();
    this.#requests.closeAll();
    await this.#connection.close();
    this.#links.dropAll('this node closed');
  }

  /** While cut off from the broker nothing is heard and nothing can be sent: peers were dropped already. */
  #beat(): void {
    if (this.#connected) this.#send(this.#naming.all, [Kind.Heartbeat, this.nodeId]);
  }

  #onConnected(): void {
    if (this.#closed) return;
    const wasDown = !this.#connected;
    this.#connected = true;
    if (wasDown) this.#logger.info('broker connection up', { broker: this.#connection.status().endpoint });
    // Announce at once rather than at the next tick: peers greet a node they have not heard of.
    this.#send(this.#naming.all, [Kind.Heartbeat, this.nodeId]);
  }

  #onDisconnected(reason: string): void {
    if (this.#closed || !this.#connected) return;
    this.#connected = false;
    const { driver, endpoint } = this.#connection.status();
    this.#logger.error(`${driver} broker connection lost; serving local sockets only until it is back`, {
      broker: endpoint,
      reason,
    });
    // Whatever peers sent meanwhile is lost to us: drop their state now, resync on reconnect.
    this.#links.dropAll(`this node lost its ${driver} connection`);
  }

  #onData(brokerSubject: string, data: Uint8Array): void {
    const decoded = this.#codec.decode(data);
    if (decoded === undefined) {
      this.#logger.warn('dropping an undecodable broker message', { subject: brokerSubject, bytes: data.length });
      return;
    }
    if (decoded[1] === this.nodeId) return;
    const message = decoded[0] === Kind.Chunk ? this.#chunker.accept(decoded, this.#codec) : decoded;
    if (message !== undefined) this.#dispatch(brokerSubject, message);
  }

  #dispatch(brokerSubject: string, message: WireMessage): void {
    const from = message[1];
    switch (message[0]) {
      case Kind.Hello:
        return this.#links.onHello(from, message[2]);
      case Kind.Ack:
        return this.#links.onAck(from, message[2]);
      case Kind.Bye:
        return this.#links.onBye(from);
      default:
        if (this.#links.heard(from)) this.#deliver(brokerSubject, message);
    }
  }

  #deliver(brokerSubject: string, message: WireMessage): void {
    const from = message[1];
    switch (message[0]) {
      case Kind.Topic:
        this.emit('broadcast', message[2], message[3], from);
        return;
      case Kind.Publish: {
        const subject = this.#subjects.get(brokerSubject);
        if (subject !== undefined) this.emit('message', subject, message[2], from);
        return;
      }
      case Kind.Request:
        this.#answer(from, message[2], message[3], message[4]);
        return;
      case Kind.Reply:
        this.#requests.onReply(from, message[2], message[3], message[4]);
        return;
    }
  }

  #answer(from: string, requestId: number, topic: string, payload: unknown): void {
    void this.#requests
      .answer(topic, payload, from)
      .then(([ok, result]) => {
        if (this.#links.isUp(from)) this.#sendToInbox(from, [Kind.Reply, this.nodeId, requestId, ok, result]);
      })
      .catch((error: unknown) => this.#logger.error('could not reply to a request', { error: String(error) }));
  }

  #peerUp(peerId: string): void {
    this.#logger.info('peer up', { peer: peerId });
    this.emit('peer-up', peerId, { nodeId: peerId, address: this.#connection.status().endpoint });
  }

  #peerDown(peerId: string, reason: string): void {
    this.#requests.onPeerDown(peerId);
    this.#chunker.forget(peerId);
    this.emit('peer-down', peerId, reason);
  }

  #sendToInbox(nodeId: string, message: WireMessage): void {
    this.#send(this.#naming.inbox(nodeId), message);
  }

  #send(brokerSubject: string, message: WireMessage): void {
    // While disconnected nothing is sent: peers drop this node's state and get a fresh snapshot.
    if (!this.#connected) return;
    const bytes = this.#codec.encode(message);
    const limit = this.#connection.maxPayloadBytes();
    if (bytes.length <= limit) {
      this.#connection.publish(brokerSubject, bytes);
      return;
    }
    for (const piece of this.#chunker.split(this.nodeId, bytes, limit, this.#codec))
      this.#connection.publish(brokerSubject, piece);
  }
}

/** Two heartbeats without an answer, at least 250 ms: a lost HELLO costs a second, not a node timeout. */
function helloRetryMs(checkIntervalMs: number): number {
  return Math.max(250, 2 * checkIntervalMs);
}

export interface BrokerTransport {
  /** Adds a listener of `peer-up`, `peer-down`, `message` or `broadcast`, as on a mesh. */
  on<E extends keyof ClusterTransportEvents>(event: E, listener: (...args: ClusterTransportEvents[E]) => void): this;
  /** Removes a listener added with `on`. */
  off<E extends keyof ClusterTransportEvents>(event: E, listener: (...args: ClusterTransportEvents[E]) => void): this;
}
