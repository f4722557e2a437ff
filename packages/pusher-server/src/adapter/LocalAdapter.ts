import type { Adapter, AdapterListener, AdapterStatus, CachedEvent, LocalFanout, PresenceMember } from './Adapter.js';
import { ClusterView } from './ClusterView.js';
import { EventCache } from './EventCache.js';

export interface LocalAdapterOptions {
  /** Cache channels remembered at most (least recently used are dropped). @default 10000 */
  maxCachedChannels?: number;
  /** Wall clock, for cache expiry. @default Date.now */
  nowMs?: () => number;
}

/** The only part a local adapter's view has. */
const THIS_PROCESS = 'local';

/**
 * The single-process adapter: membership in memory, delivery through the local fan-out only.
 * With it one process is a complete Pusher server. It is the cluster view with one part, so
 * it reports transitions exactly as the cluster adapter does.
 */
export class LocalAdapter implements Adapter {
  readonly driver = 'local';
  readonly nodeId = THIS_PROCESS;
  /** One process never applies a peer's snapshot. */
  readonly replayingSnapshot = false;
  readonly #cache: EventCache;
  #view: ClusterView | undefined;
  #listener: AdapterListener | undefined;
  #fanout: LocalFanout | undefined;

  constructor(options: LocalAdapterOptions = {}) {
    this.#cache = new EventCache(options.maxCachedChannels ?? 10_000, options.nowMs ?? Date.now);
  }

  async start(listener: AdapterListener, fanout: LocalFanout): Promise<void> {
    this.#listener = listener;
    this.#fanout = fanout;
    this.#view = new ClusterView(listener);
  }

  async close(): Promise<void> {
    this.#cache.clear();
  }

  addSubscriber(appId: string, channel: string, socketId: string, member?: PresenceMember): void {
    this.#requireView().subscribe(THIS_PROCESS, appId, channel, socketId, member, socketId);
  }

  removeSubscriber(appId: string, channel: string, socketId: string): void {
    this.#requireView().unsubscribe(THIS_PROCESS, appId, channel, socketId);
  }

  addUser(appId: string, userId: string, socketId: string): void {
    this.#requireView().userOnline(THIS_PROCESS, appId, userId, socketId);
  }

  removeUser(appId: string, userId: string, socketId: string): void {
    this.#requireView().userOffline(THIS_PROCESS, appId, userId, socketId);
  }

  publish(appId: string, channel: string, frame: string, exceptSocketId?: string): void {
    this.#fanout?.publishLocal(appId, channel, frame, exceptSocketId);
  }

  setCachedEvent(appId: string, channel: string, event: CachedEvent): void {
    this.#cache.set(appId, channel, event);
  }

  terminateUser(appId: string, userId: string): void {
    this.#listener?.terminateLocalUser(appId, userId);
  }

  channels(appId: string): ReadonlyMap<string, number> {
    return this.#view?.channels(appId) ?? new Map();
  }

  subscriptionCount(appId: string, channel: string): number {
    return this.#view?.subscriptionCount(appId, channel) ?? 0;
  }

  presenceMembers(appId: string, channel: string): ReadonlyMap<string, unknown> {
    return this.#view?.presenceMembers(appId, channel) ?? new Map();
  }

  isUserOnline(appId: string, userId: string): boolean {
    return this.#view?.isUserOnline(appId, userId) ?? false;
  }

  cachedEvent(appId: string, channel: string): CachedEvent | undefined {
    return this.#cache.get(appId, channel);
  }

  connectionCount(appId: string): number {
    return this.#view?.connectionCount(appId) ?? 0;
  }

  countConnection(appId: string, delta: 1 | -1): void {
    const view = this.#requireView();
    view.setConnections(THIS_PROCESS, appId, view.connectionCount(appId) + delta);
  }

  liveNodeIds(): readonly string[] {
    return [THIS_PROCESS];
  }

  status(): AdapterStatus {
    return { driver: this.driver };
  }

  #requireView(): ClusterView {
    if (!this.#view) throw new Error('LocalAdapter used before start()');
    return this.#view;
  }
}
