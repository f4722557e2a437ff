import type { Decoder } from 'cbor-x';
import { createFrameDecoderCbor, FRAME_HEADER_BYTES, FrameError, validateFrame, type Frame } from './frames.js';

export interface FrameDecoderOptions {
  /** Largest body accepted; a larger length header fails at once, before the body arrives. */
  readonly maxFrameBytes: number;
  readonly onFrame: (frame: Frame) => void;
}

/**
 * Push parser: bytes in, validated frames out. It knows nothing about sockets, so it can be fed
 * byte by byte in tests. After the first {@link FrameError} it is failed and ignores all input.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #onFrame: (frame: Frame) => void;
  readonly #cbor: Decoder = createFrameDecoderCbor();
  /** Bytes of an incomplete frame, kept as received so that a large frame is copied once. */
  #parts: Buffer[] = [];
  #partsBytes = 0;
  /** Bytes needed before #parts can make progress: a header, or a header plus its body. */
  #needed = FRAME_HEADER_BYTES;
  #failed: FrameError | undefined;

  constructor(options: FrameDecoderOptions) {
    this.#maxFrameBytes = options.maxFrameBytes;
    this.#onFrame = options.onFrame;
  }

  get failed(): FrameError | undefined {
    return this.#failed;
  }

  /** Bytes held for a frame that has not fully arrived yet. */
  get bufferedBytes(): number {
    return this.#partsBytes;
  }

  /** Decodes every complete frame in `chunk`; throws {@link FrameError} on bad input. */
  push(chunk: Buffer): void {
    if (this.#failed !== undefined || chunk.length === 0) return;
    let buffer = chunk;
    if (this.#partsBytes > 0) {
      this.#parts.push(chunk);
      this.#partsBytes += chunk.length;
      if (this.#partsBytes < this.#needed) return;
      buffer = Buffer.concat(this.#parts, this.#partsBytes);
      this.#parts = [];
      this.#partsBytes = 0;
    }
    try {
      this.#decodeFrom(buffer);
    } catch (error) {
      if (error instanceof FrameError) this.#failed = error;
      throw error;
    }
  }

  #decodeFrom(buffer: Buffer): void {
    let offset = 0;
    while (buffer.length - offset >= FRAME_HEADER_BYTES) {
      const length = this.#checkedLength(buffer.readUInt32BE(offset));
      const end = offset + FRAME_HEADER_BYTES + length;
      if (end > buffer.length) break;
      const body = buffer.subarray(offset + FRAME_HEADER_BYTES, end);
      offset = end;
      this.#onFrame(validateFrame(this.#decodeBody(body)));
    }
    this.#keepRest(buffer, offset);
  }

  #checkedLength(length: number): number {
    if (length > this.#maxFrameBytes) {
      throw new FrameError(`frame of ${length} bytes exceeds the limit of ${this.#maxFrameBytes}`);
    }
    if (length === 0) throw new FrameError('empty frame');
    return length;
  }

  #decodeBody(body: Buffer): unknown {
    try {
      return this.#cbor.decode(body);
    } catch (error) {
      throw new FrameError(`undecodable frame: ${(error as Error).message}`);
    }
  }

  #keepRest(buffer: Buffer, offset: number): void {
    if (offset === buffer.length) return;
    const rest = buffer.subarray(offset);
    this.#parts = [rest];
    this.#partsBytes = rest.length;
    this.#needed =
      rest.length < FRAME_HEADER_BYTES
        ? FRAME_HEADER_BYTES
        : FRAME_HEADER_BYTES + this.#checkedLength(rest.readUInt32BE(0));
  }
}
