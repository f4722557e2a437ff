import { Decoder, Encoder } from 'cbor-x';

/**
 * Version of the wire format in README.md § Wire format. A node refuses a HELLO that carries
 * another version, so any change to a frame's layout must bump it.
 */
export const PROTOCOL_VERSION = 3;

/** Bytes of the big-endian length that precedes every frame body. */
export const FRAME_HEADER_BYTES = 4;

/** The first element of every frame body. 5 was PONG in version 1: PING carries the round trip now. */
export const FrameType = {
  HELLO: 1,
  AUTH: 2,
  READY: 3,
  PING: 4,
  SUB: 6,
  UNSUB: 7,
  PUB: 8,
  MSG: 9,
  REQ: 10,
  REP: 11,
  GOSSIP: 12,
  BYE: 13,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];
/** The name of a frame type (`PUB`, `SUB`, …): the keys of the per-type traffic counters. */
export type FrameTypeName = keyof typeof FrameType;

export const frameTypeNames = Object.keys(FrameType) as FrameTypeName[];
const typeNameByNumber = new Map<number, FrameTypeName>(frameTypeNames.map((name) => [FrameType[name], name]));

export function frameTypeName(type: number): FrameTypeName | undefined {
  return typeNameByNumber.get(type);
}

/** A peer as gossiped: its node id and the address its routes listen on. */
export type PeerAddress = readonly [nodeId: string, host: string, port: number];

/** HELLO fields after the version are only checked when the version is {@link PROTOCOL_VERSION}. */
export type HelloFrame = readonly [
  type: typeof FrameType.HELLO,
  version: number,
  clusterName: string,
  nodeId: string,
  nonce: Uint8Array,
  host: string,
  port: number,
  /** The sender's node timeout: its peers beat often enough for it (see `beatIntervalFor`). */
  nodeTimeoutMs: number,
];
export type AuthFrame = readonly [type: typeof FrameType.AUTH, proof: Uint8Array];
export type ReadyFrame = readonly [type: typeof FrameType.READY];
/** `echoMs`: the last `sentAtMs` received from the peer (-1 for none); `heldMs`: how long ago. */
export type PingFrame = readonly [type: typeof FrameType.PING, sentAtMs: number, echoMs: number, heldMs: number];
export type SubFrame = readonly [type: typeof FrameType.SUB, subjects: readonly string[]];
export type UnsubFrame = readonly [type: typeof FrameType.UNSUB, subjects: readonly string[]];
export type PubFrame = readonly [type: typeof FrameType.PUB, subject: string, payload: unknown];
export type MsgFrame = readonly [type: typeof FrameType.MSG, topic: string, payload: unknown];
export type ReqFrame = readonly [type: typeof FrameType.REQ, requestId: number, topic: string, payload: unknown];
export type RepFrame = readonly [type: typeof FrameType.REP, requestId: number, ok: boolean, result: unknown];
export type GossipFrame = readonly [type: typeof FrameType.GOSSIP, peers: readonly PeerAddress[]];
export type ByeFrame = readonly [type: typeof FrameType.BYE, reason: string];

export type Frame =
  | HelloFrame
  | AuthFrame
  | ReadyFrame
  | PingFrame
  | SubFrame
  | UnsubFrame
  | PubFrame
  | MsgFrame
  | ReqFrame
  | RepFrame
  | GossipFrame
  | ByeFrame;

export type FrameOf<T extends FrameType> = Extract<Frame, readonly [T, ...unknown[]]>;

/** Input that breaks the wire format: the route that sent it is closed with `reason`. */
export class FrameError extends Error {
  override name = 'FrameError';
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isPort = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
const isPositiveInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;
const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every(isString);
const isPeer = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 3 && isString(v[0]) && isString(v[1]) && isPort(v[2]);
const isPeerList = (v: unknown): boolean => Array.isArray(v) && v.every(isPeer);

/** Whether `value` is a list of peers as GOSSIP carries them (also a peer-list reply). */
export function isPeerAddressList(value: unknown): value is PeerAddress[] {
  return isPeerList(value);
}

function isHello(f: readonly unknown[]): boolean {
  if (!isNumber(f[1])) return false;
  if (f[1] !== PROTOCOL_VERSION) return true;
  return (
    f.length === 8 &&
    isString(f[2]) &&
    isString(f[3]) &&
    isBytes(f[4]) &&
    isString(f[5]) &&
    isPort(f[6]) &&
    isPositiveInt(f[7])
  );
}

const validators: Record<FrameType, (f: readonly unknown[]) => boolean> = {
  [FrameType.HELLO]: isHello,
  [FrameType.AUTH]: (f) => f.length === 2 && isBytes(f[1]),
  [FrameType.READY]: (f) => f.length === 1,
  [FrameType.PING]: (f) => f.length === 4 && isNumber(f[1]) && isNumber(f[2]) && isNumber(f[3]),
  [FrameType.SUB]: (f) => f.length === 2 && isStringList(f[1]),
  [FrameType.UNSUB]: (f) => f.length === 2 && isStringList(f[1]),
  [FrameType.PUB]: (f) => f.length === 3 && isString(f[1]),
  [FrameType.MSG]: (f) => f.length === 3 && isString(f[1]),
  [FrameType.REQ]: (f) => f.length === 4 && Number.isSafeInteger(f[1]) && isString(f[2]),
  [FrameType.REP]: (f) => f.length === 4 && Number.isSafeInteger(f[1]) && typeof f[2] === 'boolean',
  [FrameType.GOSSIP]: (f) => f.length === 2 && isPeerList(f[1]),
  [FrameType.BYE]: (f) => f.length === 2 && isString(f[1]),
};

/** Checks that a decoded body is a well-formed frame; throws {@link FrameError} otherwise. */
export function validateFrame(value: unknown): Frame {
  if (!Array.isArray(value) || value.length === 0) throw new FrameError('frame body is not a non-empty array');
  const validate = validators[value[0] as FrameType] as ((f: readonly unknown[]) => boolean) | undefined;
  if (validate === undefined) throw new FrameError(`unknown frame type ${String(value[0])}`);
  if (!validate(value)) throw new FrameError(`malformed ${frameTypeName(value[0] as number)} frame`);
  return value as unknown as Frame;
}

/**
 * Maps stay plain objects and no record extension is used, so any CBOR decoder can read a frame.
 * Every route gets its own decoder: decoder state (structures, shared refs) from one peer never
 * leaks into another peer's stream.
 */
export function createFrameDecoderCbor(): Decoder {
  return new Decoder({ useRecords: false, mapsAsObjects: true, copyBuffers: true });
}

export function createFrameEncoderCbor(): Encoder {
  return new Encoder({ useRecords: false });
}

/**
 * Encodes a frame body. The result may view a buffer that the encoder reuses: copy it before the
 * next call on the same encoder (a route's write queue does).
 */
export function encodeBody(encoder: Encoder, frame: Frame): Buffer {
  return encoder.encode(frame);
}

/** A whole frame (length header + body) in a buffer of its own. */
export function encodeFrame(encoder: Encoder, frame: Frame): Buffer {
  const body = encoder.encode(frame);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, FRAME_HEADER_BYTES);
  return out;
}
