import { silentLogger, type ClusterTransport, type Logger } from '@meshpush/mesh-transport';
import { positive, refuseAll } from './LocalRateLimiter.js';
import { OwnDemand } from './OwnDemand.js';
import { PeerDemands } from './PeerDemands.js';
import { checkPoints, isUnlimited, UNLIMITED, type RateLimitDecision, type RateLimiter } from './RateLimiter.js';
import { ShapedBucket } from './TokenBucket.js';
import { decodeReport, encodeReport, Topics, type ReportPayload } from './wire.js';

/** Options of {@link ClusterRateLimiter}. Durations in milliseconds. */
export interface ClusterRateLimiterOptions {
  /** Clock in milliseconds; only differences matter. @default performance.now */
  now?: () => number;
  /** A key's global bucket holds this many seconds of its rate (split like the rate). @default 1 */
  burstSeconds?: number;
  /** How often this node measures its demand and reports it to its peers. @default 100 */
  syncIntervalMs?: number;
  /** Time constant of the demand average: how fast shares follow a shift of the load. @default 1000 */
  demandWindowMs?: number;
  /**
   * A node is counted as wanting at least this fraction of a key's limit, even when idle, so a
   * node that gets its first events is not starved until its report goes round.
   * @default 0.01
   */
  idleDemandRatio?: number;
  /** @default a silent logger */
  logger?: Logger;
}

/** The defaults of {@link ClusterRateLimiterOptions} (the clock and logger aside). */
export const clusterDefaults = {
  burstSeconds: 1,
  syncIntervalMs: 100,
  demandWindowMs: 1000,
  idleDemandRatio: 0.01,
} as const;

/** How one key is seen on this node, for status pages and tests. */
export interface KeyShare {
  readonly key: string;
  readonly limitPerSecond: number;
  /** This node's smoothed demand (points asked per second, allowed or not); 0 before a sync. */
  readonly demandPerSec: number;
  /** This node's fraction of the key's global rate and burst, 0 to 1. */
  readonly share: number;
}

interface KeyState {
  readonly demand: OwnDemand;
  limitPerSec: number;
  shaped: ShapedBucket | undefined;
  shareVersion: number;
  share: number;
}

/**
 * One global token bucket per key across every node of a cluster, decided locally.
 *
 * Each node takes a share of each key's rate and burst in proportion to its demand (the points
 * it was asked for, allowed or not), measured every `syncIntervalMs` and broadcast to its peers.
 * Every node computes its share from the same reports, except that it counts its own demand as
 * the smaller of its last two reports: a node takes more only once its peers have heard that it
 * wants more and take less, so the shares add up to at most 1. A peer that goes down takes its
 * report with it. See the package README for the algorithm and its worst-case over-admission.
 *
 * The transport is shared, not owned: topics other than `ratelimit.*` are ignored, and
 * `close()` leaves the transport open.
 */
export class ClusterRateLimiter implements RateLimiter {
  readonly driver = 'cluster';
  readonly #transport: ClusterTransport;
  readonly #keys = new Map<string, KeyState>();
  readonly #peers: PeerDemands;
  readonly #now: () => number;
  readonly #burstSeconds: number;
  readonly #demandWindowMs: number;
  readonly #idleRatio: number;
  readonly #logger: Logger;
  readonly #timer: NodeJS.Timeout;
  #lastSyncMs: number;
  #ownVersion = 0;
  #lastReport: ReportPayload = encodeReport(new Map());
  #lastReportEmpty = true;
  #closed = false;

  constructor(transport: ClusterTransport, options: ClusterRateLimiterOptions = {}) {
    this.#transport = transport;
    this.#now = options.now ?? (() => performance.now());
    this.#burstSeconds = positive(options.burstSeconds ?? clusterDefaults.burstSeconds, 'burstSeconds');
    this.#demandWindowMs = positive(options.demandWindowMs ?? clusterDefaults.demandWindowMs, 'demandWindowMs');
    this.#idleRatio = options.idleDemandRatio ?? clusterDefaults.idleDemandRatio;
    if (!(this.#idleRatio > 0 && this.#idleRatio < 1)) throw new RangeError('idleDemandRatio must be between 0 and 1');
    this.#logger = options.logger ?? silentLogger;
    this.#lastSyncMs = this.#now();
    const syncIntervalMs = positive(options.syncIntervalMs ?? clusterDefaults.syncIntervalMs, 'syncIntervalMs');
    this.#peers = new PeerDemands(transport.peers());
    transport.on('peer-up', this.#onPeerUp);
    transport.on('peer-down', this.#onPeerDown);
    transport.on('broadcast', this.#onBroadcast);
    // Peers that were up before we listened will not greet us: ask for their reports.
    for (const peer of transport.peers()) transport.sendTo(peer, Topics.Hello, null);
    this.#timer = setInterval(() => this.sync(), syncIntervalMs).unref();
  }

  consume(key: string, points: number, limitPerSecond: number): RateLimitDecision {
    checkPoints(points);
    if (isUnlimited(limitPerSecond)) return UNLIMITED;
    if (!(limitPerSecond > 0)) return refuseAll(limitPerSecond);
    const now = this.#now();
    const state = this.#state(key, limitPerSecond);
    state.demand.ask(points, now);
    const share = this.#share(key, state);
    state.shaped ??= new ShapedBucket(limitPerSecond, share, this.#burstSeconds, points, now);
    return state.shaped.consume(points, limitPerSecond, share, this.#burstSeconds, now);
  }

  /**
   * Measures this node's demand since the last sync and broadcasts it. Runs every
   * `syncIntervalMs` on its own; tests with a fake clock call it directly.
   */
  sync(): void {
    if (this.#closed) return;
    const now = this.#now();
    const elapsedMs = Math.max(1, now - this.#lastSyncMs);
    this.#lastSyncMs = now;
    const alpha = 1 - Math.exp(-elapsedMs / this.#demandWindowMs);
    const report = new Map<string, number>();
    for (const [key, state] of this.#keys) {
      const reported = state.demand.measure(now, elapsedMs, alpha, this.#floor(state.limitPerSec));
      if (reported > 0) report.set(key, reported);
      else if (state.demand.isIdle && (state.shaped?.bucket.isFullAt(now) ?? true)) this.#keys.delete(key);
    }
    this.#ownVersion++;
    this.#lastReport = encodeReport(report);
    // An idle node says so once, then stays quiet until it has demand again.
    if (report.size > 0 || !this.#lastReportEmpty) this.#transport.broadcast(Topics.Report, this.#lastReport);
    this.#lastReportEmpty = report.size === 0;
  }

  /** This node's view of every key it has state for. */
  shares(): KeyShare[] {
    return [...this.#keys].map(([key, state]) => ({
      key,
      limitPerSecond: state.limitPerSec,
      demandPerSec: state.demand.perSec,
      share: this.#share(key, state),
    }));
  }

  /** Stops reporting and listening; peers forget this node's demand. The transport stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#transport.off('peer-up', this.#onPeerUp);
    this.#transport.off('peer-down', this.#onPeerDown);
    this.#transport.off('broadcast', this.#onBroadcast);
    if (!this.#lastReportEmpty) this.#transport.broadcast(Topics.Report, encodeReport(new Map()));
    this.#keys.clear();
  }

  #state(key: string, limitPerSec: number): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = { demand: new OwnDemand(), limitPerSec, shaped: undefined, shareVersion: -1, share: 1 };
      this.#keys.set(key, state);
    } else if (state.limitPerSec !== limitPerSec) {
      state.limitPerSec = limitPerSec;
      state.shareVersion = -1;
    }
    return state;
  }

  /** own / (own + Σ peers), each at least the idle floor; cached until a report or a sync. */
  #share(key: string, state: KeyState): number {
    const version = this.#ownVersion + this.#peers.version;
    if (state.shareVersion === version) return state.share;
    const floor = this.#floor(state.limitPerSec);
    const own = Math.max(floor, state.demand.settled);
    state.share = own / (own + this.#peers.total(key, floor));
    state.shareVersion = version;
    return state.share;
  }

  #floor(limitPerSec: number): number {
    return limitPerSec * this.#idleRatio;
  }

  #onPeerUp = (peer: string): void => {
    this.#peers.up(peer);
    this.#transport.sendTo(peer, Topics.Report, this.#lastReport);
  };

  #onPeerDown = (peer: string): void => {
    this.#peers.down(peer);
  };

  #onBroadcast = (topic: string, payload: unknown, from: string): void => {
    if (topic === Topics.Hello) {
      this.#transport.sendTo(from, Topics.Report, this.#lastReport);
    } else if (topic === Topics.Report) {
      const demands = decodeReport(payload);
      if (typeof demands === 'string')
        this.#logger.warn('ignored a malformed rate limit report', { from, reason: demands });
      else this.#peers.replace(from, demands);
    }
  };
}
