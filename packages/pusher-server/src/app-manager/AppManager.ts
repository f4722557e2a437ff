import type { App } from './App.js';
import type { AppManagerStats } from './AppStore.js';

/**
 * Where apps come from. The server asks on every connection (by key) and every HTTP call
 * (by id), so implementations that hit a database should cache (see `CachingAppManager`).
 *
 * Writing a driver: implement both lookups, return `undefined` for an unknown app (never
 * throw for that), and resolve defaults with `resolveApp` so every app has all its fields.
 * A database driver is easiest written as an `AppStore` behind a `CachingAppManager`.
 */
export interface AppManager {
  /** The app whose public key is `key` (the `/app/{key}` WebSocket path). */
  findByKey(key: string): Promise<App | undefined> | App | undefined;
  /** The app whose id is `id` (the `/apps/{id}/…` HTTP API paths). */
  findById(id: string): Promise<App | undefined> | App | undefined;
  /**
   * For apps that change while the server runs: how often the server re-checks the apps of its
   * open sockets with `revalidateMany` or `revalidate` (a disabled or deleted app's sockets are
   * closed, the others get the new settings). Absent: apps never change.
   */
  readonly revalidateIntervalMs?: number;
  /**
   * The app as the source has it now, bypassing caches; `undefined` when it was deleted. When the
   * source cannot tell (a database outage) it resolves to the last known app, so an outage never
   * closes sockets.
   */
  revalidate?(id: string): Promise<App | undefined>;
  /**
   * `revalidate` for many apps at once (one query per batch rather than one per app): each id
   * maps to its app now, `undefined` when deleted, the last known app when the source failed.
   * Preferred by the server when present.
   */
  revalidateMany?(ids: readonly string[]): Promise<Map<string, App | undefined>>;
  /** Every app's id, where the source can tell (the debug console's app list). */
  listIds?(): Promise<string[]>;
  /** Counters for the metrics endpoint. */
  stats?(): AppManagerStats;
  /** Releases the source's connections; called by the server's `stop()`. */
  close?(): Promise<void>;
}
