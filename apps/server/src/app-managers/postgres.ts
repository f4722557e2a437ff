import type { AppStore, Logger } from '@meshpush/pusher-server';
import type { AppManagerSettings } from '../config/settings.js';
import { loadClient } from './loadClient.js';
import { poolSize } from './poolSize.js';
import { SqlAppStore, type SqlDialect } from './sqlStore.js';

const dialect: SqlDialect = {
  quote: (name) => `"${name}"`,
  placeholder: (index) => `$${index}`,
};

/** soketi's `postgres` app manager: the `pg` client (loaded on demand) and a pool. */
export async function createPostgresStore(settings: AppManagerSettings, logger: Logger): Promise<AppStore> {
  const pg = await loadClient('pg', 'postgres', () => import('pg'));
  const { host, port, user, password, database } = settings.database.postgres;
  const { min, max } = poolSize(settings);
  const pool = new pg.default.Pool({ host, port, user, password, database, min, max, connectionTimeoutMillis: 2_000 });
  // An idle pooled connection that drops (database restart) emits here; unhandled, it would kill the process.
  pool.on('error', (error) => logger.warn('postgres app store: idle connection lost', { error: error.message }));
  const client = {
    query: async (sql: string, params: readonly string[]) => (await pool.query(sql, [...params])).rows,
    end: () => pool.end(),
  };
  return new SqlAppStore('postgres', client, settings.postgres.table, dialect, logger);
}
