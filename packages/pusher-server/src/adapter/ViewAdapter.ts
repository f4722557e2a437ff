import type { AdapterListener, CachedEvent } from './Adapter.js';
import { ClusterView } from './ClusterView.js';
import { EventCache } from './EventCache.js';

/** Options shared by every adapter built on a `ClusterView` (local and cluster). */
export interface ViewAdapterOptions {
  /** Cache channels remembered at most (least recently used are dropped). @default 10000 */
  maxCachedChannels?: number;
  /** Wall clock, for cache expiry. @default Date.now */
  nowMs?: () => number;
}

/**
 * What every adapter built on a `ClusterView` shares: the view, the cache channels' store and
 * every read. Reads come from local memory only, so they are the same code for one process and
 * for a cluster; subclasses decide how their own changes reach other nodes.
 */
export abstract class ViewAdapter {
  protected readonly cache: EventCache;
  #view: ClusterView | undefined;

  constructor(options: ViewAdapterOptions = {}) {
    this.cache = new EventCache(options.maxCachedChannels ?? 10_000, options.nowMs ?? Date.now);
  }

  /** Creates the view at `start()`; the listener hears every cluster-wide transition. */
  protected createView(listener: AdapterListener): void {
    this.#view = new ClusterView(listener);
  }

  /** The view, for writes; throws when the adapter is used before `start()`. */
  protected requireView(): ClusterView {
    if (!this.#view) throw new Error(`${this.constructor.name} used before start()`);
    return this.#view;
  }

  /** Occupied channels of an app with their subscriber counts (empty before `start()`). */
  channels(appId: string): ReadonlyMap<string, number> {
    return this.#view?.channels(appId) ?? new Map();
  }

  /** Subscribed sockets of a channel. */
  subscriptionCount(appId: string, channel: string): number {
    return this.#view?.subscriptionCount(appId, channel) ?? 0;
  }

  /** Members of a presence channel: user id → user info. */
  presenceMembers(appId: string, channel: string): ReadonlyMap<string, unknown> {
    return this.#view?.presenceMembers(appId, channel) ?? new Map();
  }

  /** Whether `userId` has a signed-in connection. */
  isUserOnline(appId: string, userId: string): boolean {
    return this.#view?.isUserOnline(appId, userId) ?? false;
  }

  /** The last event of a cache channel, while it has not expired. */
  cachedEvent(appId: string, channel: string): CachedEvent | undefined {
    return this.cache.get(appId, channel);
  }

  /** Open connections of an app. */
  connectionCount(appId: string): number {
    return this.#view?.connectionCount(appId) ?? 0;
  }
}
