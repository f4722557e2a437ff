import type { DebugBatch, DebugFields, DebugRecord } from './DebugRecord.js';

/** Where a console's records go (one open stream). */
export type DebugSink = (batch: DebugBatch) => void;

/** How the tap reaches the other nodes (a `DebugRelay` over the cluster transport). */
export interface DebugBus {
  /** This node began (true) or stopped (false) watching an app. */
  watch(appId: string, watching: boolean): void;
  /** Sends a batch to the nodes that watch the app, and to no other. */
  publish(appId: string, batch: DebugBatch): void;
}

export interface DebugTapOptions {
  readonly nodeId: string;
  /** Wall clock for the records' time. */
  nowMs(): number;
  /** Records one node produces per app and second; more are counted as dropped. @default 2000 */
  maxRecordsPerSecPerApp?: number;
  /**
   * How long records gather before they go out as one batch: a busy app sends a few frames a
   * second to a watching peer, not one per event. @default 50
   */
  flushIntervalMs?: number;
}

/** What the tap did since start, for tests and `/console/api/cluster`. */
export interface DebugTapStats {
  produced: number;
  dropped: number;
  /** Batches handed to the bus for peers. */
  published: number;
}

interface Window {
  startMs: number;
  count: number;
  dropped: number;
}

/**
 * The producer side of the debug console. Hooks call `record` only behind `tap.on`, which stays
 * false while no console anywhere watches any app: then the tap costs one boolean check per hook
 * and nothing is produced or sent. Records are batched per app for `flushIntervalMs` (one publish per batch),
 * and capped per app and second so a busy app cannot turn its debug stream into the main load.
 */
export class DebugTap {
  /** True while some console, on this node or a peer, watches some app. */
  on = false;
  readonly nodeId: string;
  readonly stats: DebugTapStats = { produced: 0, dropped: 0, published: 0 };
  readonly #options: DebugTapOptions;
  readonly #local = new Map<string, Set<DebugSink>>();
  readonly #remote = new Map<string, Set<string>>();
  readonly #pending = new Map<string, DebugRecord[]>();
  readonly #windows = new Map<string, Window>();
  #bus: DebugBus | undefined;
  #flushQueued = false;

  constructor(options: DebugTapOptions) {
    this.#options = options;
    this.nodeId = options.nodeId;
  }

  /** Connects the tap to the other nodes; without a bus it serves this node's consoles only. */
  attach(bus: DebugBus): void {
    this.#bus = bus;
  }

  /** Whether a console watches the app (callers check `on` first). */
  wants(appId: string): boolean {
    return this.#local.has(appId) || this.#remote.has(appId);
  }

  record(appId: string, fields: DebugFields): void {
    if (!this.wants(appId)) return;
    const window = this.#window(appId);
    if (window.count >= (this.#options.maxRecordsPerSecPerApp ?? 2000)) {
      window.dropped++;
      this.stats.dropped++;
      return;
    }
    window.count++;
    this.stats.produced++;
    const record: DebugRecord = { ...fields, timeMs: this.#options.nowMs(), node: this.nodeId };
    const pending = this.#pending.get(appId);
    if (pending) pending.push(record);
    else this.#pending.set(appId, [record]);
    this.#scheduleFlush();
  }

  /** A console on this node opened for the app; the returned function closes it. */
  watch(appId: string, sink: DebugSink): () => void {
    let sinks = this.#local.get(appId);
    if (!sinks) {
      sinks = new Set();
      this.#local.set(appId, sinks);
      this.#bus?.watch(appId, true);
    }
    sinks.add(sink);
    this.#refresh();
    return () => this.#unwatch(appId, sink);
  }

  /** Apps watched by a console on this node (told to a peer that comes up). */
  locallyWatched(): string[] {
    return [...this.#local.keys()];
  }

  /** A peer began or stopped watching an app. */
  remoteWatch(appId: string, nodeId: string, watching: boolean): void {
    const nodes = this.#remote.get(appId) ?? new Set<string>();
    if (watching) nodes.add(nodeId);
    else nodes.delete(nodeId);
    if (nodes.size > 0) this.#remote.set(appId, nodes);
    else this.#remote.delete(appId);
    this.#refresh();
  }

  /** A peer is gone: it watches nothing any more. */
  peerGone(nodeId: string): void {
    for (const appId of [...this.#remote.keys()]) this.remoteWatch(appId, nodeId, false);
  }

  /** A batch from a peer: to this node's consoles of the app. */
  deliver(appId: string, batch: DebugBatch): void {
    for (const sink of this.#local.get(appId) ?? []) sink(batch);
  }

  #unwatch(appId: string, sink: DebugSink): void {
    const sinks = this.#local.get(appId);
    if (!sinks?.delete(sink) || sinks.size > 0) return;
    this.#local.delete(appId);
    this.#bus?.watch(appId, false);
    this.#refresh();
  }

  #refresh(): void {
    this.on = this.#local.size > 0 || this.#remote.size > 0;
    for (const appId of this.#windows.keys()) if (!this.wants(appId)) this.#windows.delete(appId);
  }

  #window(appId: string): Window {
    const now = this.#options.nowMs();
    let window = this.#windows.get(appId);
    if (!window || now - window.startMs >= 1000) {
      // The previous window's drops are reported with its last flush; a new window starts clean.
      window = { startMs: now, count: 0, dropped: 0 };
      this.#windows.set(appId, window);
    }
    return window;
  }

  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    setTimeout(() => this.#flush(), this.#options.flushIntervalMs ?? 50).unref();
  }

  #flush(): void {
    this.#flushQueued = false;
    for (const [appId, records] of this.#pending) {
      const window = this.#windows.get(appId);
      const batch: DebugBatch = { records, dropped: window?.dropped ?? 0 };
      if (window) window.dropped = 0;
      this.deliver(appId, batch);
      if (this.#remote.has(appId) && this.#bus) {
        this.#bus.publish(appId, batch);
        this.stats.published++;
      }
    }
    this.#pending.clear();
  }
}
