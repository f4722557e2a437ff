import type { App } from './App.js';

/**
 * Where apps come from. The server asks on every connection (by key) and every HTTP call
 * (by id), so implementations that hit a database should cache.
 *
 * Writing a driver: implement both lookups, return `undefined` for an unknown app (never
 * throw for that), and resolve defaults with `resolveApp` so every app has all its fields.
 */
export interface AppManager {
  /** The app whose public key is `key` (the `/app/{key}` WebSocket path). */
  findByKey(key: string): Promise<App | undefined> | App | undefined;
  /** The app whose id is `id` (the `/apps/{id}/…` HTTP API paths). */
  findById(id: string): Promise<App | undefined> | App | undefined;
}
