import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Encoder } from 'cbor-x';
import { formatAddress, isWildcardHost, type HostPort } from './address.js';
import { FrameDecoder } from './FrameDecoder.js';
import { FrameError, FrameType, PROTOCOL_VERSION, type Frame, type HelloFrame, type PingFrame } from './frames.js';
import { computeProof, createNonce, verifyProof } from './handshake.js';
import { beatIntervalFor } from './liveness/beatInterval.js';
import { PingEcho } from './liveness/PingEcho.js';
import type { ResolvedMeshOptions } from './options.js';
import { describeTlsError, isTlsError, peerCertificate, TLS_HANDSHAKE_BYTE, type CertificateInfo } from './tls.js';
import { Traffic } from './Traffic.js';
import { WriteQueue } from './WriteQueue.js';

/**
 * `pending`: HELLO/AUTH running. `authenticated`: proofs checked, the lower node id decides.
 * `ready-wait`: proofs checked, the higher node id waits for READY. `up`: carries traffic.
 */
export type RouteState = 'pending' | 'authenticated' | 'ready-wait' | 'up' | 'closed';

/**
 * Why a route closed: drives logging, peer-down reasons and redial decisions. `refused`: this
 * node refused the peer in the handshake; `rejected`: the peer refused this node (BYE).
 */
export type CloseKind =
  | 'bye'
  | 'timeout'
  | 'slow-consumer'
  | 'protocol'
  | 'refused'
  | 'rejected'
  | 'duplicate'
  | 'self'
  | 'replaced'
  | 'io'
  | 'local';

/** What a route needs from its node. */
export interface RouteHost {
  readonly nodeId: string;
  readonly options: ResolvedMeshOptions;
  readonly encoder: Encoder;
  /** The address this node's routes listen on, as announced in HELLO. */
  listenAddress(): HostPort;
  onAuthenticated(route: Route): void;
  onReady(route: Route): void;
  onFrame(route: Route, frame: Frame): void;
  onClosed(route: Route): void;
  scheduleFlush(route: Route): void;
  /** Bytes arrived on the route: liveness counts any input, not only heartbeats. */
  heard(route: Route): void;
}

/** Above this many queued bytes a route writes at once instead of waiting for the end of the tick. */
const FLUSH_NOW_BYTES = 256 * 1024;
/** A handshake that keeps trickling in is still cut after this many node timeouts. */
const HANDSHAKE_MAX_TIMEOUTS = 5;
/** How long a graceful close waits for the peer to take the last bytes. */
const LINGER_MS = 1000;

/** One TCP connection to a peer: handshake, heartbeat state, framing, coalesced writes, backpressure. */
export class Route {
  readonly traffic = new Traffic();
  readonly openedAt = performance.now();
  readonly dialed: HostPort | undefined;
  peerId: string | undefined;
  /** The peer's route listener, from its HELLO. */
  peerAddress: HostPort | undefined;
  upAt: number | undefined;
  closeKind: CloseKind | undefined;
  closeReason = '';
  /** The error code of a failed dial (`ECONNREFUSED` …). */
  errorCode: string | undefined;
  /** The peer's certificate, on a TLS route once its handshake is done. */
  peerCertificate: CertificateInfo | undefined;
  flushScheduled = false;
  #state: RouteState = 'pending';
  #awaitingDrain = false;
  #lingerTimer: NodeJS.Timeout | undefined;
  #socketClosed = false;
  #closedCallbacks: (() => void)[] = [];
  /** When the handshake last made progress (bytes arrived); an up route's silence is the table's. */
  #handshakeHeardAt = this.openedAt;
  /** When bytes were last handed to the socket: a route that carried traffic needs no PING. */
  #lastWriteAt = performance.now();
  /** How often this route beats when quiet: set from the peer's node timeout in its HELLO. */
  #beatMs: number;
  readonly #ping = new PingEcho();
  readonly #localNonce = createNonce();
  readonly #queue = new WriteQueue();
  readonly #decoder: FrameDecoder;
  readonly #host: RouteHost;
  readonly #socket: Socket;

  /** `dialed` is the address this node dialled; undefined for an accepted connection. */
  constructor(host: RouteHost, socket: Socket, dialed?: HostPort) {
    this.#host = host;
    this.#socket = socket;
    this.dialed = dialed;
    this.#beatMs = host.options.checkIntervalMs;
    this.#decoder = new FrameDecoder({
      maxFrameBytes: host.options.maxFrameBytes,
      onFrame: (frame) => this.#onFrame(frame),
    });
    this.#listen();
  }

  /** The last round trip measured by the heartbeat; undefined until the peer echoed a PING. */
  get rttMs(): number | undefined {
    return this.#ping.rttMs;
  }

  get state(): RouteState {
    return this.#state;
  }

  /** Node id of the side that dialled: the input of the duplicate-route rule. */
  get dialerId(): string {
    return this.dialed !== undefined ? this.#host.nodeId : (this.peerId ?? '');
  }

  get remoteAddress(): string {
    const { remoteAddress, remotePort } = this.#socket;
    return remoteAddress === undefined ? '' : formatAddress({ host: remoteAddress, port: remotePort ?? 0 });
  }

  /** Outbound bytes not yet on the wire: queued frames plus the socket's own buffer. */
  get queuedBytes(): number {
    return this.#queue.bytes + this.#socket.writableLength;
  }

  #listen(): void {
    const socket = this.#socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => {
      this.#awaitingDrain = false;
      this.flush();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.#onSocketError(error));
    socket.on('end', () => this.#mark('connection closed by peer', 'io'));
    socket.once('close', () => this.#onSocketClose());
    if (socket instanceof TLSSocket) this.peerCertificate = peerCertificate(socket);
    if (this.dialed === undefined) this.#sendHello();
    else if (socket instanceof TLSSocket) socket.once('secureConnect', () => this.#onSecureConnect(socket));
    else socket.once('connect', () => this.#sendHello());
  }

  /** Whether the route runs over TLS. */
  get secure(): boolean {
    return this.#socket instanceof TLSSocket;
  }

  #onSecureConnect(socket: TLSSocket): void {
    this.peerCertificate = peerCertificate(socket);
    this.#sendHello();
  }

  /** A TLS failure is a refusal with a reason (wrong CA, a peer without TLS); anything else is I/O. */
  #onSocketError(error: NodeJS.ErrnoException): void {
    this.errorCode ??= error.code;
    if (this.secure && this.#state === 'pending' && isTlsError(error)) {
      if (this.closeKind === undefined) {
        const reason = `TLS handshake failed: ${describeTlsError(error)}`;
        this.#host.options.logger.warn('mesh: refused route', {
          remote: this.remoteAddress,
          dialed: this.dialed,
          reason,
        });
        this.#mark(reason, 'refused');
      }
      return;
    }
    this.#mark(`socket error: ${error.code ?? error.message}`, 'io');
  }

  #sendHello(): void {
    const { options, nodeId } = this.#host;
    const { host, port } = this.#host.listenAddress();
    const { clusterName, nodeTimeoutMs } = options;
    this.send([FrameType.HELLO, PROTOCOL_VERSION, clusterName, nodeId, this.#localNonce, host, port, nodeTimeoutMs]);
  }

  /** Queues a frame; returns false when the route is closed or just became a slow consumer. */
  send(frame: Frame): boolean {
    return this.sendBody(frame[0], this.#host.encoder.encode(frame));
  }

  /**
   * Queues an already encoded body (one encoding shared by every route a publish goes to).
   * Throws a `RangeError` for a body over `maxFrameBytes`, which the peer would refuse.
   */
  sendBody(type: FrameType, body: Uint8Array): boolean {
    const { maxFrameBytes } = this.#host.options;
    if (body.length > maxFrameBytes)
      throw new RangeError(`mesh frame of ${body.length} bytes exceeds maxFrameBytes (${maxFrameBytes})`);
    if (this.#state === 'closed') return false;
    this.#queue.append(body);
    this.traffic.framesOut++;
    this.traffic.outByType[type]!++;
    const queued = this.#queue.bytes;
    if (queued + this.#socket.writableLength > this.#host.options.highWaterMarkBytes) {
      this.#slowConsumer();
      return false;
    }
    if (queued >= FLUSH_NOW_BYTES) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.#host.scheduleFlush(this);
    }
    return true;
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.#awaitingDrain || this.#state === 'closed' || this.#socket.connecting) return;
    this.#write();
  }

  /**
   * Hands the queue to the socket in one writev. The return value of `write` is not used: while
   * corked it is false as soon as the socket buffers more than its high-water mark, even when
   * the kernel then takes everything at `uncork`. What counts is what the socket still holds;
   * above its high-water mark a 'drain' is due, and until then frames coalesce in the queue.
   */
  #write(): void {
    const chunks = this.#queue.take();
    if (chunks.length === 0) return;
    const socket = this.#socket;
    this.#lastWriteAt = performance.now();
    if (chunks.length > 1) socket.cork();
    for (const chunk of chunks) {
      this.traffic.bytesOut += chunk.length;
      socket.write(chunk);
    }
    if (chunks.length > 1) socket.uncork();
    this.#awaitingDrain = socket.writableLength >= socket.writableHighWaterMark;
  }

  #slowConsumer(): void {
    const limit = this.#host.options.highWaterMarkBytes;
    this.#host.options.logger.warn('mesh: slow consumer, closing route', {
      peer: this.peerId,
      queuedBytes: this.queuedBytes,
      highWaterMarkBytes: limit,
    });
    this.close(`slow consumer: more than ${limit} bytes waiting`, 'slow-consumer');
  }

  /**
   * Heartbeat, run at every check: a PING on an up route that wrote nothing for its beat interval
   * less half a check interval, so a route that carries traffic pays nothing and a quiet one beats
   * once per beat interval (checks fall on the wall clock's interval boundaries, so the half is
   * slack for the timer, never a whole extra check). The peer hears from this node at least once
   * per beat interval plus half a check interval.
   */
  keepAlive(now: number, checkIntervalMs: number): void {
    if (this.#state === 'up' && now - this.#lastWriteAt >= this.#beatMs - checkIntervalMs / 2) this.ping();
  }

  /** A PING now, whatever was written lately: the first of a route, or an answer. */
  ping(): void {
    this.send([FrameType.PING, ...this.#ping.outgoing()]);
  }

  /** The peer's PING: a round-trip sample, and an answer at once when the peer has none of ours yet. */
  onPing(frame: PingFrame): void {
    if (this.#ping.incoming(frame[1], frame[2], frame[3])) this.ping();
  }

  /**
   * Closes a handshake silent for `nodeTimeoutMs`, or older than {@link HANDSHAKE_MAX_TIMEOUTS}
   * node timeouts however it goes. Silence rather than age: on a starved machine (many nodes
   * starting at once) a handshake that is slow but moving must not be cut on one side while the
   * other side has already brought the route up, which only starts it all again.
   */
  checkHandshake(now: number): void {
    if (this.#state === 'closed' || this.#state === 'up') return;
    const { nodeTimeoutMs } = this.#host.options;
    if (now - this.#handshakeHeardAt > nodeTimeoutMs) this.close('handshake timed out', 'timeout');
    else if (now - this.openedAt > nodeTimeoutMs * HANDSHAKE_MAX_TIMEOUTS) this.close('handshake too slow', 'timeout');
  }

  markUp(): void {
    this.#state = 'up';
    this.upAt = performance.now();
  }

  /**
   * Closes the route. With `bye`, a BYE frame carrying `reason` goes out first and the socket
   * lingers briefly for the peer to read it. The host hears of it once, from the socket's close.
   */
  close(reason: string, kind: CloseKind, bye = false): void {
    if (this.#state === 'closed') return;
    this.#mark(reason, kind);
    this.#state = 'closed';
    if (!bye || this.#socket.connecting) {
      this.#queue.clear();
      this.#socket.destroy();
      return;
    }
    this.#queue.append(this.#host.encoder.encode([FrameType.BYE, reason]));
    this.traffic.outByType[FrameType.BYE]!++;
    this.traffic.framesOut++;
    this.#write();
    this.#socket.end();
    this.#lingerTimer = setTimeout(() => this.#socket.destroy(), LINGER_MS).unref();
  }

  /** Records the first reason only: later errors are consequences of it. */
  #mark(reason: string, kind: CloseKind): void {
    if (this.closeKind !== undefined) return;
    this.closeKind = kind;
    this.closeReason = reason;
  }

  /** Calls `callback` once the socket is closed (at once if it already is). */
  onFinallyClosed(callback: () => void): void {
    if (this.#socketClosed) callback();
    else this.#closedCallbacks.push(callback);
  }

  #onSocketClose(): void {
    this.#mark('connection closed', 'io');
    this.#state = 'closed';
    this.#socketClosed = true;
    clearTimeout(this.#lingerTimer);
    this.#queue.clear();
    this.#host.onClosed(this);
    for (const callback of this.#closedCallbacks.splice(0)) callback();
  }

  #onData(chunk: Buffer): void {
    if (this.#state === 'closed') return;
    if (this.traffic.bytesIn === 0 && chunk[0] === TLS_HANDSHAKE_BYTE && !this.secure) {
      return this.#refuse('the peer speaks TLS but mesh TLS is off on this node: give every node the same TLS setting');
    }
    this.traffic.bytesIn += chunk.length;
    if (this.#state === 'up') this.#host.heard(this);
    else this.#handshakeHeardAt = performance.now();
    try {
      this.#decoder.push(chunk);
    } catch (error) {
      this.#onInputError(error);
    }
  }

  #onInputError(error: unknown): void {
    const { logger } = this.#host.options;
    if (error instanceof FrameError) {
      logger.warn('mesh: closing route on bad input', {
        peer: this.peerId,
        remote: this.remoteAddress,
        reason: error.message,
      });
      this.close(`protocol error: ${error.message}`, 'protocol', true);
      return;
    }
    logger.error('mesh: internal error while handling a frame', { peer: this.peerId, error });
    this.close('internal error', 'protocol');
  }

  #onFrame(frame: Frame): void {
    if (this.#state === 'closed') return;
    this.traffic.framesIn++;
    this.traffic.inByType[frame[0]]!++;
    if (this.#state === 'up') this.#host.onFrame(this, frame);
    else this.#onHandshakeFrame(frame);
  }

  #onHandshakeFrame(frame: Frame): void {
    if (frame[0] === FrameType.HELLO && this.peerId === undefined) this.#onHello(frame);
    else if (frame[0] === FrameType.AUTH && this.peerId !== undefined && this.#state === 'pending')
      this.#onAuth(frame[1]);
    else if (frame[0] === FrameType.READY && this.#state === 'ready-wait') this.#host.onReady(this);
    else if (frame[0] === FrameType.BYE) this.#rejected(String(frame[1]));
    else throw new FrameError(`unexpected frame type ${frame[0]} during handshake`);
  }

  #onHello(frame: HelloFrame): void {
    const { options, nodeId } = this.#host;
    if (frame[1] !== PROTOCOL_VERSION) return this.#refuse(`protocol version ${frame[1]} is not ${PROTOCOL_VERSION}`);
    if (frame[2] !== options.clusterName)
      return this.#refuse(`cluster name "${frame[2]}" is not "${options.clusterName}"`);
    if (frame[3] === nodeId) return this.close('dialled itself', 'self');
    this.peerId = frame[3];
    const host = isWildcardHost(frame[5]) ? (this.#socket.remoteAddress ?? frame[5]) : frame[5];
    this.peerAddress = { host, port: frame[6] };
    this.#beatMs = beatIntervalFor(options.checkIntervalMs, frame[7]);
    const proof = computeProof({
      secret: options.secret,
      clusterName: options.clusterName,
      proverId: nodeId,
      verifierId: frame[3],
      nonce: frame[4],
    });
    this.send([FrameType.AUTH, proof]);
  }

  #onAuth(proof: Uint8Array): void {
    const { options, nodeId } = this.#host;
    const peerId = this.peerId as string;
    const context = {
      secret: options.secret,
      clusterName: options.clusterName,
      proverId: peerId,
      verifierId: nodeId,
      nonce: this.#localNonce,
    };
    if (!verifyProof(context, proof))
      return this.#refuse('authentication failed: the peer does not know the cluster secret');
    this.#state = nodeId < peerId ? 'authenticated' : 'ready-wait';
    this.#host.onAuthenticated(this);
  }

  #rejected(reason: string): void {
    this.#host.options.logger.warn('mesh: refused by peer', { remote: this.remoteAddress, peer: this.peerId, reason });
    this.close(`refused by peer: ${reason}`, 'rejected');
  }

  #refuse(reason: string): void {
    this.#host.options.logger.warn('mesh: refused route', { remote: this.remoteAddress, peer: this.peerId, reason });
    this.close(reason, 'refused', true);
  }
}
