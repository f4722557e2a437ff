import { FRAME_HEADER_BYTES } from './frames.js';

const CHUNK_BYTES = 64 * 1024;

/**
 * Outbound frames of one route, framed (length header + body) straight into large chunks, so a
 * burst of small frames leaves in one socket write. A chunk is handed to the socket up to its
 * write position and filled further afterwards: bytes already handed over are never touched.
 */
export class WriteQueue {
  #ready: Buffer[] = [];
  #current: Buffer | undefined;
  #start = 0;
  #position = 0;
  #bytes = 0;

  /** Bytes queued and not yet taken. */
  get bytes(): number {
    return this.#bytes;
  }

  append(body: Uint8Array): void {
    const needed = FRAME_HEADER_BYTES + body.length;
    if (this.#current === undefined || this.#position + needed > this.#current.length) this.#rotate(needed);
    const current = this.#current as Buffer;
    current.writeUInt32BE(body.length, this.#position);
    current.set(body, this.#position + FRAME_HEADER_BYTES);
    this.#position += needed;
    this.#bytes += needed;
  }

  /** Everything queued, in order; the queue is empty afterwards. */
  take(): Buffer[] {
    this.#sealCurrent();
    const ready = this.#ready;
    this.#ready = [];
    this.#bytes = 0;
    return ready;
  }

  clear(): void {
    this.#ready = [];
    this.#current = undefined;
    this.#start = this.#position = this.#bytes = 0;
  }

  #sealCurrent(): void {
    if (this.#current === undefined || this.#position === this.#start) return;
    this.#ready.push(this.#current.subarray(this.#start, this.#position));
    this.#start = this.#position;
  }

  #rotate(needed: number): void {
    this.#sealCurrent();
    this.#current = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, needed));
    this.#start = this.#position = 0;
  }
}
