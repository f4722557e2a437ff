import type { AppStore, Logger } from '@meshpush/pusher-server';
import type { AppManagerSettings } from '../config/settings.js';
import { loadClient } from './loadClient.js';
import { poolSize } from './poolSize.js';
import { quoteTable, SqlAppStore, type SqlConnection, type SqlDialect, type SqlValue } from './sqlStore.js';

const dialect: SqlDialect = {
  quote: (name) => `"${name}"`,
  placeholder: (index) => `$${index}`,
};

/** soketi's `postgres` app manager: the `pg` client (loaded on demand) and a pool. */
export async function createPostgresStore(settings: AppManagerSettings, logger: Logger): Promise<AppStore> {
  return new SqlAppStore(await connectPostgres(settings, logger), logger);
}

export async function connectPostgres(settings: AppManagerSettings, logger: Logger): Promise<SqlConnection> {
  const pg = await loadClient('pg', 'postgres', () => import('pg'));
  const { host, port, user, password, database } = settings.database.postgres;
  const { min, max } = poolSize(settings);
  const pool = new pg.default.Pool({ host, port, user, password, database, min, max, connectionTimeoutMillis: 2_000 });
  // An idle pooled connection that drops (database restart) emits here; unhandled, it would kill the process.
  pool.on('error', (error) => logger.warn('postgres app store: idle connection lost', { error: error.message }));
  const client = {
    query: async (sql: string, params: readonly SqlValue[]) => (await pool.query(sql, [...params])).rows,
    execute: async (sql: string, params: readonly SqlValue[]) => (await pool.query(sql, [...params])).rowCount ?? 0,
    end: () => pool.end(),
  };
  return { driver: 'postgres', client, dialect, table: quoteTable(settings.postgres.table, dialect) };
}
