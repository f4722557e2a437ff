import { LRUCache } from 'lru-cache';
import type { Adapter, AdapterListener, CachedEvent, LocalFanout, PresenceMember } from './Adapter.js';
import { Membership } from './Membership.js';

export interface LocalAdapterOptions {
  /** Cache channels remembered at most (least recently used are dropped). @default 10000 */
  maxCachedChannels?: number;
  /** Wall clock, for cache expiry. @default Date.now */
  nowMs?: () => number;
}

/**
 * The single-process adapter: membership in memory, delivery through the local fan-out only.
 * With it one process is a complete Pusher server; it is also the reference behaviour every
 * other adapter must match.
 */
export class LocalAdapter implements Adapter {
  readonly driver = 'local';
  readonly #apps = new Map<string, Membership>();
  readonly #connections = new Map<string, number>();
  readonly #cache: LRUCache<string, CachedEvent>;
  readonly #nowMs: () => number;
  #listener: AdapterListener | undefined;
  #fanout: LocalFanout | undefined;

  constructor(options: LocalAdapterOptions = {}) {
    this.#nowMs = options.nowMs ?? Date.now;
    this.#cache = new LRUCache({ max: options.maxCachedChannels ?? 10_000 });
  }

  async start(listener: AdapterListener, fanout: LocalFanout): Promise<void> {
    this.#listener = listener;
    this.#fanout = fanout;
  }

  async close(): Promise<void> {
    this.#cache.clear();
  }

  addSubscriber(appId: string, channel: string, socketId: string, member?: PresenceMember): void {
    const change = this.#membership(appId).addSubscriber(channel, socketId, member);
    if (change.subscriptionCount < 0) return;
    const listener = this.#requireListener();
    if (change.occupancyChanged) listener.channelOccupied(appId, channel);
    if (member && change.userChanged) listener.memberAdded(appId, channel, member, socketId);
    listener.subscriptionCountChanged(appId, channel, change.subscriptionCount);
  }

  removeSubscriber(appId: string, channel: string, socketId: string): void {
    const change = this.#membership(appId).removeSubscriber(channel, socketId);
    if (change.subscriptionCount < 0) return;
    const listener = this.#requireListener();
    if (change.userId !== undefined) listener.memberRemoved(appId, channel, change.userId);
    listener.subscriptionCountChanged(appId, channel, change.subscriptionCount);
    if (change.occupancyChanged) listener.channelVacated(appId, channel);
  }

  addUser(appId: string, userId: string, socketId: string): void {
    if (this.#membership(appId).addUser(userId, socketId)) this.#requireListener().userOnline(appId, userId);
  }

  removeUser(appId: string, userId: string, socketId: string): void {
    if (this.#membership(appId).removeUser(userId, socketId)) this.#requireListener().userOffline(appId, userId);
  }

  publish(appId: string, channel: string, frame: string, exceptSocketId?: string): void {
    this.#fanout?.publishLocal(appId, channel, frame, exceptSocketId);
  }

  setCachedEvent(appId: string, channel: string, event: CachedEvent): void {
    this.#cache.set(cacheKey(appId, channel), event);
  }

  terminateUser(appId: string, userId: string): void {
    this.#requireListener().terminateLocalUser(appId, userId);
  }

  channels(appId: string): ReadonlyMap<string, number> {
    return this.#apps.get(appId)?.channelCounts() ?? new Map();
  }

  subscriptionCount(appId: string, channel: string): number {
    return this.#apps.get(appId)?.subscriptionCount(channel) ?? 0;
  }

  presenceMembers(appId: string, channel: string): ReadonlyMap<string, unknown> {
    return this.#apps.get(appId)?.members(channel) ?? new Map();
  }

  isUserOnline(appId: string, userId: string): boolean {
    return this.#apps.get(appId)?.hasUser(userId) ?? false;
  }

  cachedEvent(appId: string, channel: string): CachedEvent | undefined {
    const key = cacheKey(appId, channel);
    const event = this.#cache.get(key);
    if (event && event.expiresAtMs <= this.#nowMs()) {
      this.#cache.delete(key);
      return undefined;
    }
    return event;
  }

  connectionCount(appId: string): number {
    return this.#connections.get(appId) ?? 0;
  }

  countConnection(appId: string, delta: 1 | -1): void {
    const count = (this.#connections.get(appId) ?? 0) + delta;
    if (count <= 0) this.#connections.delete(appId);
    else this.#connections.set(appId, count);
  }

  #membership(appId: string): Membership {
    let membership = this.#apps.get(appId);
    if (!membership) this.#apps.set(appId, (membership = new Membership()));
    return membership;
  }

  #requireListener(): AdapterListener {
    if (!this.#listener) throw new Error('LocalAdapter used before start()');
    return this.#listener;
  }
}

function cacheKey(appId: string, channel: string): string {
  return `${appId}\u001f${channel}`;
}
