import { connect, createServer, type Socket } from 'node:net';
import { Decoder, Encoder } from 'cbor-x';
import { BurstCounter, nowMs, payload, SUBJECT } from './burst.js';

/**
 * The reference the mesh is measured against: one Node-to-Node TCP connection carrying the same
 * frames as a mesh PUB (4-byte big-endian length + cbor-x body `[8, subject, payload]`), written
 * in 256 KiB coalesced writes, decoded on the other side. No mesh code is used here.
 */
const PUB = 8;
const WRITE_BYTES = 256 * 1024;

export class BarePipeSender {
  readonly #encoder = new Encoder({ useRecords: false });
  #socket: Socket | undefined;

  async connect(port: number): Promise<void> {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    this.#socket = socket;
  }

  /** Sends `count` frames in one turn; returns when the first frame was encoded. */
  burst(firstSeq: number, count: number): number {
    const socket = this.#socket as Socket;
    const startedAtMs = nowMs();
    let buffer = Buffer.allocUnsafe(WRITE_BYTES);
    let position = 0;
    for (let seq = firstSeq; seq < firstSeq + count; seq++) {
      const body = this.#encoder.encode([PUB, SUBJECT, payload(seq)]);
      if (position + 4 + body.length > buffer.length) {
        socket.write(buffer.subarray(0, position));
        buffer = Buffer.allocUnsafe(Math.max(WRITE_BYTES, 4 + body.length));
        position = 0;
      }
      buffer.writeUInt32BE(body.length, position);
      buffer.set(body, position + 4);
      position += 4 + body.length;
    }
    socket.write(buffer.subarray(0, position));
    return startedAtMs;
  }

  close(): void {
    this.#socket?.destroy();
  }
}

export class BarePipeReceiver {
  readonly #decoder = new Decoder({ useRecords: false });
  #rest: Buffer = Buffer.alloc(0);
  #counter: BurstCounter | undefined;

  /** Listens on 127.0.0.1, port 0; returns the port. */
  listen(): Promise<number> {
    const server = createServer((socket) => socket.on('data', (chunk: Buffer) => this.#onData(chunk)));
    return new Promise((resolve) => {
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  }

  expect(counter: BurstCounter): void {
    this.#counter = counter;
  }

  #onData(chunk: Buffer): void {
    const buffer = this.#rest.length === 0 ? chunk : Buffer.concat([this.#rest, chunk]);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const end = offset + 4 + buffer.readUInt32BE(offset);
      if (end > buffer.length) break;
      const frame = this.#decoder.decode(buffer.subarray(offset + 4, end)) as [number, string, { seq: number }];
      this.#counter?.receive(frame[2].seq);
      offset = end;
    }
    this.#rest = buffer.subarray(offset);
  }
}
