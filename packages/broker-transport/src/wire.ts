import { Decoder, Encoder } from 'cbor-x';

/**
 * What broker transports send each other. Every message is a CBOR array whose first two fields
 * are its kind and the sender's node id: receivers drop their own messages and anything from a
 * node they have no link with before looking further.
 */
export const Kind = {
  /** On the all-nodes subject every check interval: "I am alive". */
  Heartbeat: 1,
  /** On the all-nodes subject when a node leaves gracefully. */
  Bye: 2,
  /** To a node's inbox: "I just found you; let us start a link" `[kind, from, linkId]`. */
  Hello: 3,
  /** To a node's inbox: the link `linkId` is accepted `[kind, from, linkId]`. */
  Ack: 4,
  /** `broadcast` on the all-nodes subject, or `sendTo` a node's inbox: `[kind, from, topic, payload]`. */
  Topic: 5,
  /** A publish on a channel subject: `[kind, from, payload]`. */
  Publish: 6,
  /** To a node's inbox: `[kind, from, requestId, topic, payload]`. */
  Request: 7,
  /** To the asker's inbox: `[kind, from, requestId, ok, result]`. */
  Reply: 8,
  /** One piece of a message larger than the broker's payload limit: `[kind, from, last, bytes]`. */
  Chunk: 9,
} as const;

export type Kind = (typeof Kind)[keyof typeof Kind];

export type WireMessage =
  | readonly [typeof Kind.Heartbeat, from: string]
  | readonly [typeof Kind.Bye, from: string]
  | readonly [typeof Kind.Hello, from: string, linkId: string]
  | readonly [typeof Kind.Ack, from: string, linkId: string]
  | readonly [typeof Kind.Topic, from: string, topic: string, payload: unknown]
  | readonly [typeof Kind.Publish, from: string, payload: unknown]
  | readonly [typeof Kind.Request, from: string, requestId: number, topic: string, payload: unknown]
  | readonly [typeof Kind.Reply, from: string, requestId: number, ok: boolean, result: unknown]
  | readonly [typeof Kind.Chunk, from: string, last: boolean, bytes: Uint8Array];

const isString = (value: unknown): value is string => typeof value === 'string';

const SHAPES: Record<number, (m: readonly unknown[]) => boolean> = {
  [Kind.Heartbeat]: (m) => m.length === 2,
  [Kind.Bye]: (m) => m.length === 2,
  [Kind.Hello]: (m) => m.length === 3 && isString(m[2]),
  [Kind.Ack]: (m) => m.length === 3 && isString(m[2]),
  [Kind.Topic]: (m) => m.length === 4 && isString(m[2]),
  [Kind.Publish]: (m) => m.length === 3,
  [Kind.Request]: (m) => m.length === 5 && Number.isInteger(m[2]) && isString(m[3]),
  [Kind.Reply]: (m) => m.length === 5 && Number.isInteger(m[2]) && typeof m[3] === 'boolean',
  [Kind.Chunk]: (m) => m.length === 4 && typeof m[2] === 'boolean' && m[3] instanceof Uint8Array,
};

/** Checks a decoded message before it touches any state: a node of another version must not break us. */
export function isWireMessage(value: unknown): value is WireMessage {
  if (!Array.isArray(value) || typeof value[0] !== 'number' || !isString(value[1])) return false;
  const shape = SHAPES[value[0]];
  return shape !== undefined && shape(value);
}

/** Encodes and decodes wire messages; plain maps, no record extension, so any CBOR reader can read them. */
export class WireCodec {
  readonly #encoder = new Encoder({ useRecords: false });
  readonly #decoder = new Decoder({ useRecords: false });

  /** A fresh copy: the broker client may hold on to the bytes after `publish` returns. */
  encode(message: WireMessage): Uint8Array {
    return Uint8Array.prototype.slice.call(this.#encoder.encode(message));
  }

  /** The message, or undefined when the bytes are not one (the caller logs and drops them). */
  decode(bytes: Uint8Array): WireMessage | undefined {
    let value: unknown;
    try {
      value = this.#decoder.decode(bytes);
    } catch {
      return undefined;
    }
    return isWireMessage(value) ? value : undefined;
  }
}
