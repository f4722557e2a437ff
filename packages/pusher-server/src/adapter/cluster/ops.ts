import type { CachedEvent, PresenceMember } from '../Adapter.js';

/**
 * State changes one node tells the others about. Every op is idempotent (keyed by socket id,
 * or an absolute value), so a peer that receives one twice — once in a delta and again in a
 * snapshot — ends in the same state.
 */
export const OpType = {
  Subscribe: 1,
  Unsubscribe: 2,
  UserOnline: 3,
  UserOffline: 4,
  Connections: 5,
  CacheEvent: 6,
} as const;

export type Op =
  | readonly [
      typeof OpType.Subscribe,
      appId: string,
      channel: string,
      socketId: string,
      userId: string | null,
      userInfo: unknown,
    ]
  | readonly [typeof OpType.Unsubscribe, appId: string, channel: string, socketId: string]
  | readonly [typeof OpType.UserOnline, appId: string, userId: string, socketId: string]
  | readonly [typeof OpType.UserOffline, appId: string, userId: string, socketId: string]
  | readonly [typeof OpType.Connections, appId: string, count: number]
  | readonly [
      typeof OpType.CacheEvent,
      appId: string,
      channel: string,
      frame: string,
      event: string,
      data: string,
      expiresAtMs: number,
    ];

/** Topics the cluster adapter uses on its transport. */
export const Topics = {
  /** A batch of ops from the sender's own part. */
  Delta: 'pusher.delta',
  /** The sender's whole part, sent to a peer that just came up. */
  Snapshot: 'pusher.snapshot',
  /** Close a user's sockets everywhere: `[appId, userId]`. */
  Terminate: 'pusher.terminate',
} as const;

export function subscribeOp(appId: string, channel: string, socketId: string, member?: PresenceMember): Op {
  return [OpType.Subscribe, appId, channel, socketId, member?.userId ?? null, member?.userInfo ?? null];
}

export function cacheOp(appId: string, channel: string, event: CachedEvent): Op {
  return [OpType.CacheEvent, appId, channel, event.frame, event.event, event.data, event.expiresAtMs];
}

const isString = (value: unknown): value is string => typeof value === 'string';

const SHAPES: Record<number, (op: readonly unknown[]) => boolean> = {
  [OpType.Subscribe]: (op) =>
    op.length === 6 && isString(op[1]) && isString(op[2]) && isString(op[3]) && (op[4] === null || isString(op[4])),
  [OpType.Unsubscribe]: (op) => op.length === 4 && isString(op[1]) && isString(op[2]) && isString(op[3]),
  [OpType.UserOnline]: (op) => op.length === 4 && isString(op[1]) && isString(op[2]) && isString(op[3]),
  [OpType.UserOffline]: (op) => op.length === 4 && isString(op[1]) && isString(op[2]) && isString(op[3]),
  [OpType.Connections]: (op) => op.length === 3 && isString(op[1]) && Number.isInteger(op[2]),
  [OpType.CacheEvent]: (op) =>
    op.length === 7 &&
    isString(op[1]) &&
    isString(op[2]) &&
    isString(op[3]) &&
    isString(op[4]) &&
    isString(op[5]) &&
    typeof op[6] === 'number',
};

/** Checks a peer's op before it touches any state: a node of another version must not corrupt ours. */
export function isOp(value: unknown): value is Op {
  if (!Array.isArray(value) || typeof value[0] !== 'number') return false;
  const shape = SHAPES[value[0]];
  return shape !== undefined && shape(value);
}
