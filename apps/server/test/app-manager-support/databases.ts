import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { TeardownHost } from '@meshpush/test-support';

const run = promisify(execFile);

/** One app row of soketi's layout, as the tests write it. */
export interface AppRow {
  id: string;
  key: string;
  secret: string;
  max_connections?: number;
  enabled?: number;
  enable_client_messages?: number;
  webhooks?: string;
}

/**
 * A throwaway database and user on the machine's PostgreSQL or MariaDB, with soketi's `apps`
 * table created from soketi's own test schema. Dropped at teardown.
 */
export interface TestDatabase {
  readonly driver: 'postgres' | 'mysql' | 'dynamodb';
  /** The server's environment for this database (APP_MANAGER_DRIVER, DB_*). */
  readonly env: Record<string, string>;
  insert(row: AppRow): Promise<void>;
  update(id: string, fields: Partial<AppRow>): Promise<void>;
  remove(id: string): Promise<void>;
  /** Takes the user's right to read the table away (an outage without stopping the shared service). */
  revoke(): Promise<void>;
  grant(): Promise<void>;
  /** Lets the user write rows too (for `meshpush apps`). */
  grantWrites(): Promise<void>;
  /** The environment that points a server at `port` instead, where nothing listens. */
  unreachableEnv(port: number): Record<string, string>;
}

const COLUMNS = ['id', 'key', 'secret', 'max_connections', 'enabled', 'enable_client_messages', 'webhooks'] as const;

function withDefaults(row: AppRow): Array<string | number> {
  return [
    row.id,
    row.key,
    row.secret,
    row.max_connections ?? -1,
    row.enabled ?? 1,
    row.enable_client_messages ?? 0,
    row.webhooks ?? '[]',
  ];
}

function names(): { database: string; user: string; password: string } {
  const suffix = randomBytes(4).toString('hex');
  return { database: `meshpush_t_${suffix}`, user: `meshpush_u_${suffix}`, password: `pw_${suffix}` };
}

// soketi's tests/fixtures/postgres_schema.sql, column for column ("key" and "enabled" quoted as there).
const POSTGRES_SCHEMA = `CREATE TABLE IF NOT EXISTS apps (
  id varchar(255) PRIMARY KEY, "key" varchar(255) NOT NULL, secret varchar(255) NOT NULL,
  max_connections integer NOT NULL, enable_client_messages smallint NOT NULL, "enabled" smallint NOT NULL,
  max_backend_events_per_sec integer NOT NULL, max_client_events_per_sec integer NOT NULL,
  max_read_req_per_sec integer NOT NULL, webhooks json,
  max_presence_members_per_channel integer DEFAULT NULL, max_presence_member_size_in_kb integer DEFAULT NULL,
  max_channel_name_length integer DEFAULT NULL, max_event_channels_at_once integer DEFAULT NULL,
  max_event_name_length integer DEFAULT NULL, max_event_payload_in_kb integer DEFAULT NULL,
  max_event_batch_size integer DEFAULT NULL, enable_user_authentication smallint NOT NULL)`;

export async function createPostgres(t: TeardownHost): Promise<TestDatabase> {
  const { database, user, password } = names();
  // pg_hba trusts 127.0.0.1 on this machine; the superuser creates and drops the fixture.
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE USER ${user} PASSWORD '${password}'`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const owner = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database });
  await owner.connect();
  await owner.query(POSTGRES_SCHEMA);
  const grant = (): Promise<unknown> => owner.query(`GRANT SELECT ON apps TO ${user}`);
  await grant();
  t.teardown(async () => {
    await owner.end();
    const drop = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await drop.query(`DROP USER IF EXISTS ${user}`);
    await drop.end();
  });
  const placeholders = COLUMNS.map((_, index) => `$${index + 1}`).join(', ');
  return {
    driver: 'postgres',
    env: {
      APP_MANAGER_DRIVER: 'postgres',
      DB_POSTGRES_HOST: '127.0.0.1',
      DB_POSTGRES_PORT: '5432',
      DB_POSTGRES_USERNAME: user,
      DB_POSTGRES_PASSWORD: password,
      DB_POSTGRES_DATABASE: database,
    },
    insert: async (row) => {
      await owner.query(
        `INSERT INTO apps (${COLUMNS.map((c) => `"${c}"`).join(', ')}, max_backend_events_per_sec,
          max_client_events_per_sec, max_read_req_per_sec, enable_user_authentication)
         VALUES (${placeholders}, -1, -1, -1, 0)`,
        withDefaults(row),
      );
    },
    update: async (id, fields) => {
      const entries = Object.entries(fields);
      const set = entries.map(([column], index) => `"${column}" = $${index + 2}`).join(', ');
      await owner.query(`UPDATE apps SET ${set} WHERE id = $1`, [id, ...entries.map(([, value]) => value)]);
    },
    remove: async (id) => {
      await owner.query('DELETE FROM apps WHERE id = $1', [id]);
    },
    revoke: async () => {
      await owner.query(`REVOKE SELECT ON apps FROM ${user}`);
    },
    grant: async () => {
      await grant();
    },
    grantWrites: async () => {
      await owner.query(`GRANT INSERT, UPDATE, DELETE ON apps TO ${user}`);
    },
    unreachableEnv: (port) => ({ DB_POSTGRES_PORT: String(port) }),
  };
}

// soketi's tests/fixtures/mysql_schema.sql, column for column.
const MYSQL_SCHEMA = `CREATE TABLE IF NOT EXISTS \`apps\` (
  \`id\` varchar(255) NOT NULL, \`key\` varchar(255) NOT NULL, \`secret\` varchar(255) NOT NULL,
  \`max_connections\` integer(10) NOT NULL, \`enabled\` tinyint(1) NOT NULL,
  \`enable_client_messages\` tinyint(1) NOT NULL, \`max_backend_events_per_sec\` integer(10) NOT NULL,
  \`max_client_events_per_sec\` integer(10) NOT NULL, \`max_read_req_per_sec\` integer(10) NOT NULL,
  \`webhooks\` json, \`max_presence_members_per_channel\` tinyint(1) NULL,
  \`max_presence_member_size_in_kb\` tinyint(1) NULL, \`max_channel_name_length\` tinyint(1) NULL,
  \`max_event_channels_at_once\` tinyint(1) NULL, \`max_event_name_length\` tinyint(1) NULL,
  \`max_event_payload_in_kb\` tinyint(1) NULL, \`max_event_batch_size\` tinyint(1) NULL,
  \`enable_user_authentication\` tinyint(1) NOT NULL, PRIMARY KEY (\`id\`))`;

/** MariaDB's root authenticates by the Unix socket's peer (we are root): the `mysql` CLI does the admin part. */
function asRoot(sql: string): Promise<unknown> {
  return run('mysql', ['-uroot', '-e', sql]);
}

export async function createMysql(t: TeardownHost): Promise<TestDatabase> {
  const { database, user, password } = names();
  await asRoot(
    `CREATE DATABASE ${database}; CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'; ` +
      `CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}';`,
  );
  await asRoot(`USE ${database}; ${MYSQL_SCHEMA};`);
  // Table-level, so a REVOKE reaches open connections at their next query (database-level waits for a USE).
  const grant = (): Promise<unknown> =>
    asRoot(`GRANT SELECT ON ${database}.apps TO '${user}'@'127.0.0.1', '${user}'@'localhost'`);
  await grant();
  const owner = await mysql.createConnection({ socketPath: '/run/mysqld/mysqld.sock', user: 'root', database });
  t.teardown(async () => {
    await owner.end();
    await asRoot(
      `DROP DATABASE IF EXISTS ${database}; DROP USER IF EXISTS '${user}'@'127.0.0.1', '${user}'@'localhost';`,
    );
  });
  return {
    driver: 'mysql',
    env: {
      APP_MANAGER_DRIVER: 'mysql',
      DB_MYSQL_HOST: '127.0.0.1',
      DB_MYSQL_PORT: '3306',
      DB_MYSQL_USERNAME: user,
      DB_MYSQL_PASSWORD: password,
      DB_MYSQL_DATABASE: database,
    },
    insert: async (row) => {
      await owner.query(
        `INSERT INTO apps (${COLUMNS.map((c) => `\`${c}\``).join(', ')}, max_backend_events_per_sec,
          max_client_events_per_sec, max_read_req_per_sec, enable_user_authentication)
         VALUES (${COLUMNS.map(() => '?').join(', ')}, -1, -1, -1, 0)`,
        withDefaults(row),
      );
    },
    update: async (id, fields) => {
      const entries = Object.entries(fields);
      const set = entries.map(([column]) => `\`${column}\` = ?`).join(', ');
      await owner.query(`UPDATE apps SET ${set} WHERE id = ?`, [...entries.map(([, value]) => value), id]);
    },
    remove: async (id) => {
      await owner.query('DELETE FROM apps WHERE id = ?', [id]);
    },
    revoke: async () => {
      await asRoot(`REVOKE SELECT ON ${database}.apps FROM '${user}'@'127.0.0.1', '${user}'@'localhost'`);
    },
    grant: async () => {
      await grant();
    },
    unreachableEnv: (port) => ({ DB_MYSQL_PORT: String(port) }),
    grantWrites: async () => {
      await asRoot(`GRANT INSERT, UPDATE, DELETE ON ${database}.apps TO '${user}'@'127.0.0.1', '${user}'@'localhost'`);
    },
  };
}
