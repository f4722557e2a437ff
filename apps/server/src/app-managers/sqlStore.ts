import type { AppConfig, AppIdentity, AppStore, Logger } from '@meshpush/pusher-server';
import { rowToAppConfig, type Row } from './soketiRow.js';

/** Parameters of a statement: text, numbers, or NULL. */
export type SqlValue = string | number | null;

/** What the store (reads) and `meshpush apps` (writes) need of a database client. */
export interface SqlClient {
  query(sql: string, params: readonly SqlValue[]): Promise<Row[]>;
  /** A write; resolves with the number of rows it changed. */
  execute(sql: string, params: readonly SqlValue[]): Promise<number>;
  end(): Promise<void>;
}

/** An open pool, with how to speak to it and which table holds the apps. */
export interface SqlConnection {
  readonly driver: 'postgres' | 'mysql';
  readonly client: SqlClient;
  readonly dialect: SqlDialect;
  /** Quoted, ready for SQL text. */
  readonly table: string;
}

/** `schema.table` quoted part by part (the option parser allowed only letters, digits and _). */
export function quoteTable(table: string, dialect: SqlDialect): string {
  return table.split('.').map(dialect.quote).join('.');
}

/** How a database quotes names and numbers its parameters (`"key"` and `$1`, or `` `key` `` and `?`). */
export interface SqlDialect {
  quote(name: string): string;
  placeholder(index: number): string;
}

/**
 * soketi's table read by SQL: `SELECT *` (so every column soketi knows is read, and extra
 * columns are ignored), one row by `id` or by `key`, many by `id IN (…)` (re-validation), and
 * the id/key index.
 */
export class SqlAppStore implements AppStore {
  readonly driver: string;
  /** Far below the parameter limits (PostgreSQL 65,535, MySQL 65,535) and short enough to plan fast. */
  readonly maxIdsPerQuery = 500;
  readonly #client: SqlClient;
  readonly #logger: Logger;
  readonly #byKey: string;
  readonly #byId: string;
  readonly #identities: string;
  readonly #byIdsPrefix: string;
  readonly #dialect: SqlDialect;

  constructor({ driver, client, table: from, dialect }: SqlConnection, logger: Logger) {
    this.driver = driver;
    this.#client = client;
    this.#logger = logger;
    this.#dialect = dialect;
    this.#byIdsPrefix = `SELECT * FROM ${from} WHERE ${dialect.quote('id')} IN `;
    const where = (column: string): string =>
      `SELECT * FROM ${from} WHERE ${dialect.quote(column)} = ${dialect.placeholder(1)} LIMIT 1`;
    this.#byKey = where('key');
    this.#byId = where('id');
    this.#identities = `SELECT ${dialect.quote('id')}, ${dialect.quote('key')} FROM ${from}`;
  }

  findByKey(key: string): Promise<AppConfig | undefined> {
    return this.#one(this.#byKey, key);
  }

  findById(id: string): Promise<AppConfig | undefined> {
    return this.#one(this.#byId, id);
  }

  async findByIds(ids: readonly string[]): Promise<ReadonlyMap<string, AppConfig>> {
    if (ids.length === 0) return new Map();
    const placeholders = ids.map((_, index) => this.#dialect.placeholder(index + 1)).join(', ');
    const rows = await this.#client.query(`${this.#byIdsPrefix}(${placeholders})`, ids);
    return new Map(rows.map((row) => [String(row.id), this.#config(row)]));
  }

  async identities(): Promise<AppIdentity[]> {
    const rows = await this.#client.query(this.#identities, []);
    return rows.map((row) => ({ id: String(row.id), key: String(row.key) }));
  }

  close(): Promise<void> {
    return this.#client.end();
  }

  async #one(sql: string, value: string): Promise<AppConfig | undefined> {
    const [row] = await this.#client.query(sql, [value]);
    return row && this.#config(row);
  }

  #config(row: Row): AppConfig {
    return rowToAppConfig(row, (problem) =>
      this.#logger.warn('app row has an invalid field', { driver: this.driver, id: String(row.id), problem }),
    );
  }
}
