import type { HistogramData } from '../util/histogram.js';
import type { AppCredentials } from './signer.js';

/** Commands from the orchestrator to a load worker, one reply each (`Reply<K>`). */
export interface Commands {
  /** The worker's clock, for the offset estimate. */
  clock: { args: Record<string, never>; result: { nowMs: number } };
  /** From now on, subtract `offsetMs` from local receive times (worker clock − orchestrator clock). */
  setClockOffset: { args: { offsetMs: number }; result: Record<string, never> };
  /** Opens one client per entry of `nodes`: client `k` connects to `urls[nodes[k]]`, its latency group. */
  connect: { args: { urls: string[]; nodes: number[]; concurrency: number; ca: string | null }; result: ConnectResult };
  /** Client `i` subscribes to `channels[i]` (null: stays unsubscribed). */
  subscribe: { args: { channels: (string | null)[]; concurrency: number }; result: SubscribeResult };
  /** Opens and joins `userIds.length` presence clients in batches of `batchSize`. */
  presenceJoin: { args: PresenceJoinArgs; result: PresenceJoinResult };
  /** Each presence client's member count, as it sees it. */
  presenceCounts: { args: Record<string, never>; result: { counts: number[] } };
  /** Counts deliveries of `phase` only, from zero (events of other phases are `stale`). */
  beginPhase: { args: { phase: number }; result: Record<string, never> };
  deliveries: { args: Record<string, never>; result: DeliveryReport };
  cpu: { args: Record<string, never>; result: { cpuMs: number } };
  /** Closes every client and waits (bounded) for the closes. */
  closeAll: { args: Record<string, never>; result: { closed: number } };
}

export type CommandName = keyof Commands;

export interface ConnectResult {
  readonly opened: number;
  readonly failed: number;
  readonly firstError: string | null;
  /** From `new WebSocket()` to `pusher:connection_established`. */
  readonly handshake: HistogramData;
}

export interface SubscribeResult {
  readonly subscribed: number;
  readonly failed: number;
  readonly firstError: string | null;
}

export interface PresenceJoinArgs {
  readonly urls: string[];
  readonly channel: string;
  readonly userIds: string[];
  readonly batchSize: number;
  readonly app: AppCredentials;
  /** The CA to trust for `wss://` URLs. */
  readonly ca: string | null;
}

export interface PresenceJoinResult {
  readonly joined: number;
  readonly failed: number;
  readonly firstError: string | null;
  /** Orchestrator-clock time of the last `subscription_succeeded`. */
  readonly lastJoinedAtMs: number;
}

export interface DeliveryReport {
  readonly phase: number;
  /** Distinct bench events of the phase received, summed over the clients. */
  readonly delivered: number;
  /** Events of the phase a client had already received. */
  readonly duplicates: number;
  /** Events of another phase (stragglers of an earlier one). */
  readonly stale: number;
  /** Bench frames whose phase, time or sequence could not be read. */
  readonly malformed: number;
  /** Clients closed during the phase other than by the bench, by close code. */
  readonly unexpectedCloses: Record<string, number>;
  /** Latency histogram per client group (the URL index the client connected to). */
  readonly byGroup: HistogramData[];
  /** Orchestrator-clock time of the last delivery, 0 if none. */
  readonly lastAtMs: number;
}

export interface Request<K extends CommandName = CommandName> {
  readonly id: number;
  readonly command: K;
  readonly args: Commands[K]['args'];
}

export type Reply =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };
