import { randomBytes, randomInt } from 'node:crypto';
import { Command } from 'commander';
import { createConsoleLogger } from '@meshpush/pusher-server';
import type { AppAdmin, AppValues } from './app-managers/appAdmin.js';
import { APP_COLUMNS } from './app-managers/appColumns.js';
import { connectDynamoDb } from './app-managers/dynamodb.js';
import { DynamoDbAppAdmin } from './app-managers/dynamodbAdmin.js';
import { connectMysql } from './app-managers/mysql.js';
import { connectPostgres } from './app-managers/postgres.js';
import { SqlAppAdmin } from './app-managers/sqlAdmin.js';
import type { SqlValue } from './app-managers/sqlStore.js';
import { ConfigError, ValueError } from './config/errors.js';
import { resolveConfig } from './config/resolve.js';
import type { AppManagerDriver, AppManagerSettings } from './config/settings.js';
import { loadConfigFile } from './start.js';

type Output = (line: string) => void;

/** How each database driver's apps are written; `array` apps live in the config instead. */
const appAdmins: Readonly<Record<Exclude<AppManagerDriver, 'array'>, (s: AppManagerSettings) => Promise<AppAdmin>>> = {
  postgres: async (settings) =>
    new SqlAppAdmin(await connectPostgres(settings, createConsoleLogger({ level: 'warn' }))),
  mysql: async (settings) => new SqlAppAdmin(await connectMysql(settings)),
  dynamodb: async (settings) => new DynamoDbAppAdmin(await connectDynamoDb(settings)),
};

/**
 * `meshpush apps list|add|update|disable|remove`: rows (items) of soketi's layout in the database
 * that APP_MANAGER_DRIVER, DB_* and APP_MANAGER_DYNAMODB_* name (the same settings `start` reads).
 * Running servers pick a change up within their cache TTL; a disabled or removed app's sockets
 * are closed then.
 */
export function addAppsCommand(program: Command, out: Output = (line) => process.stdout.write(line + '\n')): void {
  const apps = program
    .command('apps')
    .description("manage the apps of APP_MANAGER_DRIVER=postgres|mysql|dynamodb (soketi's layout)")
    .option('-c, --config <file>', 'JSON config file, as for start');
  apps
    .command('list')
    .description('list the apps (secrets hidden unless --secrets)')
    .option('--json', 'one JSON array of rows')
    .option('--secrets', 'include secrets')
    .action((options: { json?: boolean; secrets?: boolean }, command: Command) =>
      withAdmin(command, async (admin) => printList(await admin.list(), options, out)),
    );
  const add = apps.command('add').description('add an app (key and secret random unless given)');
  add.option('--id <id>', 'app id (default: random digits)');
  withColumnFlags(add).action((options: Record<string, string>, command: Command) =>
    withAdmin(command, async (admin) => {
      const id = options.id ?? String(randomInt(1_000_000, 10_000_000));
      const values = new Map(columnValues(options));
      if (!values.has('key')) values.set('key', randomBytes(10).toString('hex'));
      if (!values.has('secret')) values.set('secret', randomBytes(10).toString('hex'));
      await admin.add(id, values);
      out(`added app ${id}: key ${String(values.get('key'))} secret ${String(values.get('secret'))}`);
    }),
  );
  withColumnFlags(apps.command('update <id>').description('change columns (attributes) of an app')).action(
    (id: string, options: Record<string, string>, command: Command) =>
      withAdmin(command, async (admin) => {
        await mustExist(admin.update(id, columnValues(options)), id);
        out(`updated app ${id}`);
      }),
  );
  apps
    .command('disable <id>')
    .description('set enabled = 0 (Enabled = false in DynamoDB): its sockets close with 4003 within the TTL')
    .action((id: string, _options: unknown, command: Command) =>
      withAdmin(command, async (admin) => {
        await mustExist(admin.update(id, new Map([['enabled', 0]])), id);
        out(`disabled app ${id}`);
      }),
    );
  apps
    .command('remove <id>')
    .description('delete the row (item)')
    .action((id: string, _options: unknown, command: Command) =>
      withAdmin(command, async (admin) => {
        await mustExist(admin.remove(id), id);
        out(`removed app ${id}`);
      }),
    );
}

function withColumnFlags(command: Command): Command {
  for (const column of APP_COLUMNS) command.option(`--${column.flag} <value>`, column.doc);
  return command;
}

/** The column flags given, checked by the same parsers as the config. */
function columnValues(options: Record<string, string>): AppValues {
  const values = new Map<string, SqlValue>();
  for (const column of APP_COLUMNS) {
    const raw = options[camel(column.flag)];
    if (raw === undefined) continue;
    try {
      values.set(column.column, column.parse(raw));
    } catch (error) {
      if (error instanceof ValueError) throw new ConfigError(`--${column.flag}: ${error.message}`);
      throw error;
    }
  }
  return values;
}

/** commander's attribute name for a flag: `max-connections` → `maxConnections`. */
function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

async function mustExist(found: Promise<boolean>, id: string): Promise<void> {
  if (!(await found)) throw new ConfigError(`no app with id "${id}"`);
}

async function withAdmin(command: Command, work: (admin: AppAdmin) => Promise<void>): Promise<void> {
  const { config } = command.optsWithGlobals<{ config?: string }>();
  const resolved = resolveConfig({ env: process.env, file: config === undefined ? undefined : loadConfigFile(config) });
  const settings = resolved.appManager;
  if (settings.driver === 'array') {
    throw new ConfigError(
      'meshpush apps writes the apps of APP_MANAGER_DRIVER=postgres, mysql or dynamodb (array apps are in the config)',
    );
  }
  const admin = await appAdmins[settings.driver](settings);
  try {
    await work(admin);
  } finally {
    await admin.close();
  }
}

function printList(
  rows: ReadonlyArray<Record<string, unknown>>,
  options: { json?: boolean; secrets?: boolean },
  out: Output,
): void {
  const shown = rows.map((row) => (options.secrets ? row : { ...row, secret: '(hidden)' }));
  if (options.json) {
    out(JSON.stringify(shown));
    return;
  }
  out(['id', 'key', 'enabled', 'max_connections', 'client_messages', 'webhooks'].join('\t'));
  for (const row of shown) {
    const cells = [row.id, row.key, row.enabled, row.max_connections, row.enable_client_messages];
    out([...cells.map(String), String(countWebhooks(row.webhooks))].join('\t'));
  }
}

/** MariaDB gives JSON as text, PostgreSQL parsed; a malformed value counts as none (the server ignores it too). */
function countWebhooks(value: unknown): number {
  try {
    const list: unknown = typeof value === 'string' ? JSON.parse(value) : value;
    return Array.isArray(list) ? list.length : 0;
  } catch {
    return 0;
  }
}
