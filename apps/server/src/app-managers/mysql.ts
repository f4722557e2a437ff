import type { AppStore, Logger } from '@meshpush/pusher-server';
import type { AppManagerSettings } from '../config/settings.js';
import { loadClient } from './loadClient.js';
import { poolSize } from './poolSize.js';
import type { Row } from './soketiRow.js';
import { quoteTable, SqlAppStore, type SqlConnection, type SqlDialect, type SqlValue } from './sqlStore.js';

const dialect: SqlDialect = {
  quote: (name) => `\`${name}\``,
  placeholder: () => '?',
};

/**
 * soketi's `mysql` app manager, for MySQL 8 and MariaDB: the `mysql2` client (loaded on demand)
 * and a pool. MariaDB stores JSON as text; the row mapper parses either.
 */
export async function createMysqlStore(settings: AppManagerSettings, logger: Logger): Promise<AppStore> {
  return new SqlAppStore(await connectMysql(settings), logger);
}

export async function connectMysql(settings: AppManagerSettings): Promise<SqlConnection> {
  const mysql = await loadClient('mysql2', 'mysql', () => import('mysql2/promise'));
  const { host, port, user, password, database } = settings.database.mysql;
  const { min, max } = poolSize(settings);
  const pool = mysql.createPool({
    host,
    port,
    user,
    password,
    database,
    connectionLimit: max,
    maxIdle: Math.max(min, 1),
    connectTimeout: 2_000,
  });
  const client = {
    query: async (sql: string, params: readonly SqlValue[]) => {
      const [rows] = await pool.query(sql, [...params]);
      return rows as Row[];
    },
    execute: async (sql: string, params: readonly SqlValue[]) => {
      const [result] = await pool.query(sql, [...params]);
      return (result as { affectedRows?: number }).affectedRows ?? 0;
    },
    end: () => pool.end(),
  };
  return { driver: 'mysql', client, dialect, table: quoteTable(settings.mysql.table, dialect) };
}
