import type { AppStore, Logger } from '@meshpush/pusher-server';
import type { AppManagerSettings } from '../config/settings.js';
import { loadClient } from './loadClient.js';
import { poolSize } from './poolSize.js';
import type { Row } from './soketiRow.js';
import { SqlAppStore, type SqlDialect } from './sqlStore.js';

const dialect: SqlDialect = {
  quote: (name) => `\`${name}\``,
  placeholder: () => '?',
};

/**
 * soketi's `mysql` app manager, for MySQL 8 and MariaDB: the `mysql2` client (loaded on demand)
 * and a pool. MariaDB stores JSON as text; the row mapper parses either.
 */
export async function createMysqlStore(settings: AppManagerSettings, logger: Logger): Promise<AppStore> {
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
    query: async (sql: string, params: readonly string[]) => {
      const [rows] = await pool.query(sql, [...params]);
      return rows as Row[];
    },
    end: () => pool.end(),
  };
  return new SqlAppStore('mysql', client, settings.mysql.table, dialect, logger);
}
