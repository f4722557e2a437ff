import {
  CachingAppManager,
  type AppManager,
  type AppStore,
  type Logger,
  type ServerConfig,
} from '@meshpush/pusher-server';
import type { ResolvedConfig } from '../config/resolve.js';
import type { AppManagerDriver, AppManagerSettings } from '../config/settings.js';
import { createDynamoDbStore } from './dynamodb.js';
import { createMysqlStore } from './mysql.js';
import { createPostgresStore } from './postgres.js';

type StoreFactory = (settings: AppManagerSettings, logger: Logger) => Promise<AppStore>;

/** The database drivers; `array` has none (the server serves `config.apps` itself). */
export const appStoreDrivers: Readonly<Record<Exclude<AppManagerDriver, 'array'>, StoreFactory>> = {
  postgres: createPostgresStore,
  mysql: createMysqlStore,
  dynamodb: createDynamoDbStore,
};

/**
 * With a database driver the default app and the config's app list are not served. soketi
 * ignores them silently, and a soketi environment often still carries DEFAULT_APP_*: a warning,
 * not an error, keeps the swap drop-in.
 */
export function unusedAppSettingsWarning(config: ResolvedConfig): string | undefined {
  if (config.appManager.driver === 'array') return undefined;
  const names = [...config.origins]
    .filter(([path]) => path === 'apps' || path.startsWith('defaultApp.'))
    .map(([, label]) => label);
  if (names.length === 0) return undefined;
  return `${names.join(', ')} ignored: apps come from APP_MANAGER_DRIVER=${config.appManager.driver}`;
}

/** soketi's APP_MANAGER_CACHE_TTL -1 (its default) means "no expiry"; here it is this. */
export const DEFAULT_CACHE_TTL_MS = 60_000;
/** With APP_MANAGER_CACHE_ENABLED off, lookups are still cached this long: the hot path never waits on SQL per connect. */
export const UNCACHED_TTL_MS = 1_000;

export function cacheTtlMs(cache: AppManagerSettings['cache']): number {
  if (!cache.enabled) return UNCACHED_TTL_MS;
  return cache.ttl < 0 ? DEFAULT_CACHE_TTL_MS : Math.max(cache.ttl * 1000, UNCACHED_TTL_MS);
}

/**
 * The app manager the settings name, behind the cache; `undefined` for `array`. The database
 * is probed once so a wrong host or password is in the first lines of the log, but an
 * unreachable database does not stop the start (the cache refuses unknown keys meanwhile).
 */
export async function createAppManager(
  settings: AppManagerSettings,
  server: ServerConfig,
  logger: Logger,
): Promise<AppManager | undefined> {
  if (settings.driver === 'array') return undefined;
  const store = await appStoreDrivers[settings.driver](settings, logger);
  const manager = new CachingAppManager({
    store,
    serverLimits: server.limits,
    ttlMs: cacheTtlMs(settings.cache),
    logger,
  });
  try {
    const apps = await store.identities();
    logger.info('app database reachable', { driver: store.driver, apps: apps.length });
  } catch (error) {
    logger.error('app database not reachable at start', { driver: store.driver, error: String(error) });
  }
  return manager;
}
