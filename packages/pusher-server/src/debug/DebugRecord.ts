/** What a debug record is about; the console filters on it. */
export const DebugKinds = [
  'connection_opened',
  'connection_closed',
  'subscribed',
  'unsubscribed',
  'member_added',
  'member_removed',
  'api_message',
  'client_event',
  'cache_miss',
  'webhook_sent',
] as const;
export type DebugKind = (typeof DebugKinds)[number];

/** The fields a hook fills in; the tap adds the time and the node. */
export interface DebugFields {
  readonly kind: DebugKind;
  readonly channel?: string;
  readonly event?: string;
  readonly socketId?: string;
  readonly userId?: string;
  /** Bytes of an event's data. */
  readonly sizeBytes?: number;
  /** A webhook's outcome, e.g. `HTTP 200`. */
  readonly status?: string;
  /** A webhook's attempt, from 1. */
  readonly attempt?: number;
}

/** One thing that happened to an app, on one node. Never carries a secret or an event's data. */
export interface DebugRecord extends DebugFields {
  /** Wall clock, ms since the epoch. */
  readonly timeMs: number;
  /** The node it happened on. */
  readonly node: string;
}

/** Records of one app from one node in one tick, and how many that node dropped over its cap. */
export interface DebugBatch {
  readonly records: readonly DebugRecord[];
  readonly dropped: number;
}

/** Checks a batch that came from a peer (the process never trusts what a route carries). */
export function isDebugBatch(value: unknown): value is DebugBatch {
  if (typeof value !== 'object' || value === null) return false;
  const { records, dropped } = value as Partial<DebugBatch>;
  return Array.isArray(records) && typeof dropped === 'number' && records.every(isRecord);
}

function isRecord(value: unknown): value is DebugRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<DebugRecord>;
  return (
    typeof record.kind === 'string' &&
    (DebugKinds as readonly string[]).includes(record.kind) &&
    typeof record.timeMs === 'number' &&
    typeof record.node === 'string'
  );
}
