import { Kind, type WireCodec, type WireMessage } from './wire.js';

/** Room left in each piece for the chunk's own CBOR fields (kind, node id, flag, length). */
const CHUNK_OVERHEAD_BYTES = 128;

/**
 * Splits messages larger than the broker's payload limit (NATS: 1 MB by default; a big node's
 * snapshot can exceed it) and joins them again. A sender writes all pieces of one message in one
 * turn and the broker keeps one sender's order, so pieces never interleave with its other
 * messages: one buffer per sender is enough.
 */
export class Chunker {
  readonly #partial = new Map<string, Uint8Array[]>();

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
  accept(chunk: Extract<WireMessage, readonly [typeof Kind.Chunk, ...unknown[]]>, codec: WireCodec): WireMessage | undefined {
    const [, from, last, bytes] = chunk;
    const pieces = this.#partial.get(from) ?? [];
    pieces.push(bytes);
    if (!last) {
      this.#partial.set(from, pieces);
      return undefined;
    }
    this.#partial.delete(from);
    const whole = codec.decode(Buffer.concat(pieces));
    return whole !== undefined && whole[0] !== Kind.Chunk && whole[1] === from ? whole : undefined;
  }

  forget(nodeId: string): void {
    this.#partial.delete(nodeId);
  }
}
