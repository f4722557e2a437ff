import { LRUCache } from 'lru-cache';
import type { ServerLimits } from '../config/ServerConfig.js';
import { silentLogger, type Logger } from '../util/Logger.js';
import { resolveApp, type App, type AppConfig } from './App.js';
import type { AppManager } from './AppManager.js';
import type { AppManagerStats, AppStore } from './AppStore.js';
import { KeyIndex } from './KeyIndex.js';
import { StoreCounters } from './StoreCounters.js';

export interface CachingAppManagerOptions {
  readonly store: AppStore;
  /** Server-wide limits an app's own settings are merged over (`resolveApp`). */
  readonly serverLimits: ServerLimits;
  /**
   * How long a found app is served without asking the database again; also how often apps with
   * open sockets are re-validated, so a changed or disabled row takes effect within it. @default 60_000
   */
  readonly ttlMs?: number;
  /**
   * How long an absence is believed: the id/key index and each unknown key or id are re-read
   * after it, so a new row is served within it. @default min(ttlMs, 5_000)
   */
  readonly negativeTtlMs?: number;
  /** After a failed query, lookups are answered from the cache alone for this long (no retry storm). @default 1_000 */
  readonly retryAfterErrorMs?: number;
  /** A query slower than this counts as failed, so a lookup never hangs on a stuck database. @default 2_000 */
  readonly queryTimeoutMs?: number;
  /** Apps kept (least recently used dropped first). @default 10_000 */
  readonly maxApps?: number;
  /** @default Date.now */
  readonly nowMs?: () => number;
  /** @default silentLogger */
  readonly logger?: Logger;
}

interface Entry {
  /** `undefined`: known not to exist (a negative entry). */
  readonly app: App | undefined;
  readonly fetchedAtMs: number;
}

type Kind = 'key' | 'id';

/** DynamoDB's `BatchGetItem` limit; SQL stores declare a larger `maxIdsPerQuery`. */
const DEFAULT_IDS_PER_QUERY = 100;

/**
 * Puts an `AppStore` (a database) behind the hot path. Lookups by key and by id are answered from
 * an LRU cache for `ttlMs`, synchronously; concurrent misses for one key share one query; unknown
 * keys are refused from a short-lived index of every id and key, so random keys never reach the
 * database one by one. When the database fails, known apps keep being served from the cache
 * (stale while error), unknown ones are refused, the outage is logged once, and no lookup waits
 * longer than `queryTimeoutMs`.
 */
export class CachingAppManager implements AppManager {
  readonly revalidateIntervalMs: number;
  readonly #store: AppStore;
  readonly #limits: ServerLimits;
  readonly #ttlMs: number;
  readonly #negativeTtlMs: number;
  readonly #now: () => number;
  readonly #byKey: LRUCache<string, Entry>;
  readonly #byId: LRUCache<string, Entry>;
  readonly #inflight = new Map<string, Promise<App | undefined>>();
  readonly #index: KeyIndex;
  readonly #counters: StoreCounters;

  constructor(options: CachingAppManagerOptions) {
    this.#store = options.store;
    this.#limits = options.serverLimits;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#negativeTtlMs = options.negativeTtlMs ?? Math.min(this.#ttlMs, 5_000);
    this.revalidateIntervalMs = this.#ttlMs;
    this.#now = options.nowMs ?? Date.now;
    const max = options.maxApps ?? 10_000;
    // Twice the apps: negative entries for unknown keys must not push real apps out.
    this.#byKey = new LRUCache<string, Entry>({ max: max * 2 });
    this.#byId = new LRUCache<string, Entry>({ max: max * 2 });
    this.#counters = new StoreCounters({
      driver: this.#store.driver,
      logger: options.logger ?? silentLogger,
      nowMs: this.#now,
      retryAfterErrorMs: options.retryAfterErrorMs ?? 1_000,
      queryTimeoutMs: options.queryTimeoutMs ?? 2_000,
    });
    this.#index = new KeyIndex(() => this.#counters.query(() => this.#store.identities()), this.#now);
  }

  findByKey(key: string): Promise<App | undefined> | App | undefined {
    return this.#find('key', key);
  }

  findById(id: string): Promise<App | undefined> | App | undefined {
    return this.#find('id', id);
  }

  /** Re-reads one app by id whatever the cache holds; the cached app when the database fails. */
  revalidate(id: string): Promise<App | undefined> {
    return this.#load('id', id, this.#byId.get(id), false);
  }

  /**
   * `revalidate` for many ids in one store query per `maxIdsPerQuery` ids (the store's
   * `findByIds`), so a pass over N connected apps costs one query, not N. When a chunk's query
   * fails its ids answer their cached apps (stale while error); ids not cached are left out.
   */
  async revalidateMany(ids: readonly string[]): Promise<Map<string, App | undefined>> {
    const found = new Map<string, App | undefined>();
    const findByIds = this.#store.findByIds?.bind(this.#store);
    if (!findByIds) {
      // One at a time, so a store without batch reads never sees N queries at once.
      for (const id of ids) found.set(id, await this.revalidate(id));
      return found;
    }
    const size = this.#store.maxIdsPerQuery ?? DEFAULT_IDS_PER_QUERY;
    for (let start = 0; start < ids.length; start += size) {
      const chunk = ids.slice(start, start + size);
      for (const [id, app] of await this.#revalidateChunk(findByIds, chunk)) found.set(id, app);
    }
    return found;
  }

  /** Every app's id, from the short-lived index of ids and keys (one query at most per TTL). */
  listIds(): Promise<string[]> {
    return this.#index.ids(this.#negativeTtlMs);
  }

  stats(): AppManagerStats {
    return this.#counters.snapshot();
  }

  async close(): Promise<void> {
    await this.#store.close?.();
  }

  async #revalidateChunk(
    findByIds: (ids: readonly string[]) => Promise<ReadonlyMap<string, AppConfig>>,
    chunk: readonly string[],
  ): Promise<Array<[string, App | undefined]>> {
    let configs: ReadonlyMap<string, AppConfig>;
    try {
      configs = await this.#counters.query(() => findByIds(chunk));
    } catch {
      // StoreCounters logged the outage; an outage must not read as every app deleted. An app no
      // longer cached is left out: its sockets keep what they have until the database answers.
      return chunk.flatMap((id): Array<[string, App]> => {
        const app = this.#byId.get(id)?.app;
        return app ? [[id, app]] : [];
      });
    }
    return chunk.map((id) => {
      const config = configs.get(id);
      return [id, this.#remember('id', id, config && this.#resolve(config, this.#byId.get(id)?.app))];
    });
  }

  #find(kind: Kind, value: string): Promise<App | undefined> | App | undefined {
    this.#counters.lookups++;
    const entry = this.#cache(kind).get(value);
    if (entry && this.#fresh(entry)) {
      this.#counters.cacheHits++;
      return entry.app;
    }
    // During an outage, answer from what we have rather than queue behind a dead database.
    if (this.#counters.inOutage()) return entry?.app;
    return this.#load(kind, value, entry, true);
  }

  #fresh(entry: Entry): boolean {
    const ttl = entry.app ? this.#ttlMs : this.#negativeTtlMs;
    return this.#now() - entry.fetchedAtMs < ttl;
  }

  #cache(kind: Kind): LRUCache<string, Entry> {
    return kind === 'key' ? this.#byKey : this.#byId;
  }

  /** One query per key at a time: later callers share the first one's promise. */
  #load(kind: Kind, value: string, stale: Entry | undefined, useIndex: boolean): Promise<App | undefined> {
    const flightKey = `${kind}:${value}`;
    const running = this.#inflight.get(flightKey);
    if (running) return running;
    const flight = this.#query(kind, value, stale, useIndex).finally(() => this.#inflight.delete(flightKey));
    this.#inflight.set(flightKey, flight);
    return flight;
  }

  async #query(kind: Kind, value: string, stale: Entry | undefined, useIndex: boolean): Promise<App | undefined> {
    try {
      // An app we never saw is first looked up in the index: a random key costs no query.
      // Not remembered per name: the index answers again, and a flood of random keys must not
      // push real apps out of the LRU.
      if (useIndex && !stale?.app && !(await this.#index.has(kind, value, this.#negativeTtlMs))) return undefined;
      const config = await this.#counters.query(() =>
        kind === 'key' ? this.#store.findByKey(value) : this.#store.findById(value),
      );
      return this.#remember(kind, value, config && this.#resolve(config, stale?.app));
    } catch {
      // StoreCounters logged the outage; stale while error.
      return stale?.app;
    }
  }

  /** Keeps the previous object when nothing changed, so holders can compare by reference. */
  #resolve(config: AppConfig, previous: App | undefined): App {
    const app = resolveApp(config, this.#limits);
    return previous && JSON.stringify(previous) === JSON.stringify(app) ? previous : app;
  }

  #remember(kind: Kind, value: string, app: App | undefined): App | undefined {
    const entry: Entry = { app, fetchedAtMs: this.#now() };
    if (!app) {
      // A deleted row: its other name must stop finding it too.
      const gone = this.#cache(kind).get(value)?.app;
      if (gone) this.#cache(kind === 'key' ? 'id' : 'key').set(kind === 'key' ? gone.id : gone.key, entry);
      this.#cache(kind).set(value, entry);
      return undefined;
    }
    // A key changed on the row: the old key must not keep finding the app.
    const previous = this.#byId.get(app.id)?.app;
    if (previous && previous.key !== app.key) this.#byKey.delete(previous.key);
    this.#byKey.set(app.key, entry);
    this.#byId.set(app.id, entry);
    return app;
  }
}
