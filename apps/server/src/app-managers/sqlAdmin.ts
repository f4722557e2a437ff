import type { AppAdmin, AppValues } from './appAdmin.js';
import { APP_COLUMNS } from './appColumns.js';
import type { Row } from './soketiRow.js';
import type { SqlConnection } from './sqlStore.js';

/** Writes rows of soketi's table for `meshpush apps`; every statement is parameterised. */
export class SqlAppAdmin implements AppAdmin {
  readonly #sql: SqlConnection;

  constructor(connection: SqlConnection) {
    this.#sql = connection;
  }

  list(): Promise<Row[]> {
    return this.#sql.client.query(`SELECT * FROM ${this.#sql.table} ORDER BY ${this.#q('id')}`, []);
  }

  async add(id: string, values: AppValues): Promise<void> {
    const columns = ['id', ...APP_COLUMNS.map((c) => c.column)];
    const params = [
      id,
      ...APP_COLUMNS.map((c) => (values.has(c.column) ? (values.get(c.column) ?? null) : c.insertDefault)),
    ];
    const sql =
      `INSERT INTO ${this.#sql.table} (${columns.map((c) => this.#q(c)).join(', ')}) ` +
      `VALUES (${columns.map((_, index) => this.#sql.dialect.placeholder(index + 1)).join(', ')})`;
    await this.#sql.client.execute(sql, params);
  }

  /** False when no row has that id. */
  async update(id: string, values: AppValues): Promise<boolean> {
    const entries = [...values];
    if (entries.length === 0)
      return (await this.#sql.client.query(this.#byId('SELECT 1 AS found FROM', 0), [id])).length > 0;
    const set = entries.map(([column], index) => `${this.#q(column)} = ${this.#sql.dialect.placeholder(index + 1)}`);
    const sql = `UPDATE ${this.#sql.table} SET ${set.join(', ')}${this.#where(entries.length)}`;
    return (await this.#sql.client.execute(sql, [...entries.map(([, value]) => value), id])) > 0;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.#sql.client.execute(this.#byId('DELETE FROM', 0), [id])) > 0;
  }

  close(): Promise<void> {
    return this.#sql.client.end();
  }

  #byId(verb: string, before: number): string {
    return `${verb} ${this.#sql.table}${this.#where(before)}`;
  }

  #where(before: number): string {
    return ` WHERE ${this.#q('id')} = ${this.#sql.dialect.placeholder(before + 1)}`;
  }

  #q(name: string): string {
    return this.#sql.dialect.quote(name);
  }
}
