import { connect, type Socket } from 'node:net';
import type { ExecutionContext } from 'ava';
import { FrameDecoder } from '../../src/FrameDecoder.js';
import { createFrameEncoderCbor, encodeFrame, FrameType, PROTOCOL_VERSION, type Frame } from '../../src/frames.js';
import { computeProof, createNonce } from '../../src/handshake.js';
import { waitFor } from './waitFor.js';

/**
 * A hand-driven mesh peer speaking the wire protocol from the test process, for behaviour a real
 * node never shows (it stops reading). Its id sorts above any hex node id, so the real node is
 * the lower id of the pair and sends READY.
 */
export class RawPeer {
  readonly nodeId = 'zzzz-raw-peer';
  readonly frames: Frame[] = [];
  closed = false;
  readonly #socket: Socket;
  readonly #encoder = createFrameEncoderCbor();
  #pinger: NodeJS.Timeout | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Connects and completes the handshake; `advertisedPort` is what it claims to listen on. */
  static async join(
    t: ExecutionContext,
    port: number,
    secret: string,
    advertisedPort: number,
    clusterName = 'meshpush',
  ): Promise<RawPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    const peer = new RawPeer(socket);
    t.teardown(() => peer.destroy());
    const nonce = createNonce();
    const decoder = new FrameDecoder({
      maxFrameBytes: 1 << 24,
      onFrame: (frame) => peer.#onFrame(frame, secret, clusterName),
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => (peer.closed = true));
    peer.send([FrameType.HELLO, PROTOCOL_VERSION, clusterName, peer.nodeId, nonce, '127.0.0.1', advertisedPort, 2000]);
    await waitFor(() => peer.frames.some((frame) => frame[0] === FrameType.READY), 10_000, 'raw peer got no READY');
    return peer;
  }

  send(frame: Frame): void {
    this.#socket.write(encodeFrame(this.#encoder, frame));
  }

  /** Stops reading from the socket but keeps sending PINGs, so it stays alive and unread. */
  stall(intervalMs: number): void {
    this.#socket.pause();
    this.#pinger = setInterval(() => this.send([FrameType.PING, performance.now(), -1, 0]), intervalMs);
  }

  destroy(): void {
    clearInterval(this.#pinger);
    this.#socket.destroy();
  }

  #onFrame(frame: Frame, secret: string, clusterName: string): void {
    this.frames.push(frame);
    if (frame[0] !== FrameType.HELLO) return;
    const proof = computeProof({ secret, clusterName, proverId: this.nodeId, verifierId: frame[3], nonce: frame[4] });
    this.send([FrameType.AUTH, proof]);
  }
}
