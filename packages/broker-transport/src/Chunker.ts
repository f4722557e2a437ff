import { Kind, type WireCodec, type WireMessage } from './wire.js';

/** A sender whose unfinished message grows past this is misbehaving: its pieces are dropped. */
const MAX_PARTIAL_BYTES = 256 * 1024 * 1024;

/** Room left in each piece for the chunk's own CBOR fields (kind, node id, flag, length). */
const CHUNK_OVERHEAD_BYTES = 128;

/**
 * Splits messages larger than the broker's payload limit (NATS: 1 MB by default; a big node's
 * snapshot can exceed it) and joins them again. A sender writes all pieces of one message in one
 * turn and the broker keeps one sender's order, so pieces never interleave with its other
 * messages: one buffer per sender is enough.
 */
export class Chunker {
  readonly #partial = new Map<string, { pieces: Uint8Array[]; bytes: number }>();

  split(nodeId: string, bytes: Uint8Array, limitBytes: number, codec: WireCodec): Uint8Array[] {
    const size = Math.max(1024, limitBytes - CHUNK_OVERHEAD_BYTES);
    const pieces: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += size) {
      const last = offset + size >= bytes.length;
      pieces.push(codec.encode([Kind.Chunk, nodeId, last, bytes.subarray(offset, offset + size)]));
    }
    return pieces;
  }

  /** The whole message once its last piece arrived; undefined before (or when it does not decode). */
  accept(
    chunk: Extract<WireMessage, readonly [typeof Kind.Chunk, ...unknown[]]>,
    codec: WireCodec,
  ): WireMessage | undefined {
    const [, from, last, bytes] = chunk;
    const partial = this.#partial.get(from) ?? { pieces: [], bytes: 0 };
    partial.pieces.push(bytes);
    partial.bytes += bytes.length;
    if (partial.bytes > MAX_PARTIAL_BYTES) {
      this.#partial.delete(from);
      return undefined;
    }
    if (!last) {
      this.#partial.set(from, partial);
      return undefined;
    }
    this.#partial.delete(from);
    const whole = codec.decode(Buffer.concat(partial.pieces));
    return whole !== undefined && whole[0] !== Kind.Chunk && whole[1] === from ? whole : undefined;
  }

  forget(nodeId: string): void {
    this.#partial.delete(nodeId);
  }
}
