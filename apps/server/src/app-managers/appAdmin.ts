import type { Row } from './soketiRow.js';
import type { SqlValue } from './sqlStore.js';

/** Column name (soketi's SQL spelling) to value, for the columns a command sets. */
export type AppValues = ReadonlyMap<string, SqlValue>;

/**
 * What `meshpush apps` needs of the apps' database: soketi's layout, read and written by id.
 * Values and listed rows use the SQL column names whatever the backend, so the command, its
 * flags and its output are the same for every driver.
 */
export interface AppAdmin {
  /** Every app, by id, as rows keyed by soketi's SQL column names. */
  list(): Promise<Row[]>;
  /** A new app; columns absent from `values` get their `insertDefault`. Rejects when the id exists. */
  add(id: string, values: AppValues): Promise<void>;
  /** False when no app has that id. */
  update(id: string, values: AppValues): Promise<boolean>;
  /** False when no app has that id. */
  remove(id: string): Promise<boolean>;
  close(): Promise<void>;
}
