import type { AppConfig } from './App.js';

/** An app's two names: enough to tell whether a key or an id exists without reading its row. */
export interface AppIdentity {
  readonly id: string;
  readonly key: string;
}

/**
 * A database of apps (one row per app), put behind a {@link CachingAppManager}. Implementations
 * only read: caching, coalescing, timeouts and outages are the cache's job. Any method may
 * reject; return `undefined` (never reject) for an app that does not exist.
 */
export interface AppStore {
  /** The driver's name for logs and the `driver` metric label, e.g. `postgres`. */
  readonly driver: string;
  findByKey(key: string): Promise<AppConfig | undefined>;
  findById(id: string): Promise<AppConfig | undefined>;
  /**
   * Several apps by id in one query (`WHERE id IN (…)`, a DynamoDB `BatchGetItem`), for the
   * re-validation of every app with open sockets; an id missing from the map was deleted. Called
   * with at most `maxIdsPerQuery` ids. Absent: the cache re-reads them one `findById` at a time.
   */
  findByIds?(ids: readonly string[]): Promise<ReadonlyMap<string, AppConfig>>;
  /** The most ids one `findByIds` call takes (the cache splits larger sets). @default 100 */
  readonly maxIdsPerQuery?: number;
  /**
   * Every app's id and key. The cache keeps this index for a short time so that a flood of
   * random keys is answered from memory instead of one query per key.
   */
  identities(): Promise<AppIdentity[]>;
  /** Releases connections; called once by the manager's `close()`. */
  close?(): Promise<void>;
}

/** What an app manager counted since it started (rendered as `app_manager_*` metrics). */
export interface AppManagerStats {
  readonly driver: string;
  /** Lookups by key or id asked of the manager. */
  readonly lookups: number;
  /** Lookups answered from the cache (an app or a known absence) without waiting for the database. */
  readonly cacheHits: number;
  /** Queries sent to the database (rows and the id/key index). */
  readonly queries: number;
  /** Queries that failed or timed out. */
  readonly errors: number;
  /** Sum of query durations, in seconds (with `queries`, the mean latency). */
  readonly querySeconds: number;
  /** Whether the last query succeeded (0 during an outage). */
  readonly databaseUp: boolean;
}
