import { ValueError } from './errors.js';
import { setting, type SettingOption } from './options.js';
import { integer, oneOf, parseBoolean, parseCount, parsePort, text, type Parser } from './parsers.js';
import type { AppManagerDriver } from './settings.js';

/**
 * soketi's app manager options (APP_MANAGER_*, DB_POSTGRES_*, DB_MYSQL_*, DB_POOLING_*), same
 * names and defaults.
 */
const parseDriver = oneOf<AppManagerDriver>(['array', 'postgres', 'mysql', 'dynamodb'], {}, 'driver');

/** A table name, optionally schema-qualified; checked because it is put into SQL text. */
const parseTable: Parser<string> = (input) => {
  const name = text()(input).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)) {
    throw new ValueError('expected a table name of letters, digits and _ (optionally schema.table)');
  }
  return name;
};

/** Seconds; -1 (soketi's default) means meshpush's default TTL. */
const parseTtl = integer(-1, 86_400 * 365, 'expected seconds (≥ 0), or -1 for the default');

function database(db: 'postgres' | 'mysql', label: string): SettingOption[] {
  const upper = db.toUpperCase();
  const row = (suffix: string, field: string, parse: Parser<unknown>, doc: string, secret = false): SettingOption =>
    setting({
      env: `DB_${upper}_${suffix}`,
      key: `database.${db}.${field}`,
      target: `appManager.database.${db}.${field}` as SettingOption['target'],
      parse,
      doc: `${label} ${doc}`,
      secret,
    });
  return [
    row('HOST', 'host', text(), 'host'),
    row('PORT', 'port', parsePort, 'port'),
    row('USERNAME', 'user', text(), 'user'),
    row('PASSWORD', 'password', text({ allowEmpty: true }), 'password', true),
    row('DATABASE', 'database', text(), 'database'),
  ];
}

export const appManagerOptions: SettingOption[] = [
  setting({
    env: 'APP_MANAGER_DRIVER',
    key: 'appManager.driver',
    target: 'appManager.driver',
    parse: parseDriver,
    doc: 'where apps come from: array (config), postgres, mysql, dynamodb',
  }),
  setting({
    env: 'APP_MANAGER_CACHE_ENABLED',
    key: 'appManager.cache.enabled',
    target: 'appManager.cache.enabled',
    parse: parseBoolean,
    doc: 'cache database lookups for APP_MANAGER_CACHE_TTL (off: 1 s, never less)',
  }),
  setting({
    env: 'APP_MANAGER_CACHE_TTL',
    key: 'appManager.cache.ttl',
    target: 'appManager.cache.ttl',
    parse: parseTtl,
    doc: 'seconds an app is served from the cache (-1 = 60)',
  }),
  setting({
    env: 'APP_MANAGER_POSTGRES_TABLE',
    key: 'appManager.postgres.table',
    target: 'appManager.postgres.table',
    parse: parseTable,
    doc: 'PostgreSQL table of apps',
  }),
  setting({
    env: 'APP_MANAGER_POSTGRES_VERSION',
    key: 'appManager.postgres.version',
    target: 'appManager.postgres.version',
    parse: text(),
    doc: 'accepted for soketi (the pg client needs no version)',
  }),
  setting({
    env: 'APP_MANAGER_MYSQL_TABLE',
    key: 'appManager.mysql.table',
    target: 'appManager.mysql.table',
    parse: parseTable,
    doc: 'MySQL/MariaDB table of apps',
  }),
  setting({
    env: 'APP_MANAGER_MYSQL_VERSION',
    key: 'appManager.mysql.version',
    target: 'appManager.mysql.version',
    parse: text(),
    doc: 'accepted for soketi (the mysql2 client needs no version)',
  }),
  setting({
    env: 'APP_MANAGER_MYSQL_USE_V2',
    key: 'appManager.mysql.useMysql2',
    target: 'appManager.mysql.useMysql2',
    parse: parseBoolean,
    doc: 'accepted for soketi (meshpush always uses mysql2)',
  }),
  setting({
    env: 'APP_MANAGER_DYNAMODB_TABLE',
    key: 'appManager.dynamodb.table',
    target: 'appManager.dynamodb.table',
    parse: text(),
    doc: 'DynamoDB table of apps (hash key AppId, index AppKeyIndex on AppKey)',
  }),
  setting({
    env: 'APP_MANAGER_DYNAMODB_REGION',
    key: 'appManager.dynamodb.region',
    target: 'appManager.dynamodb.region',
    parse: text(),
    doc: 'AWS region of the DynamoDB table',
  }),
  setting({
    env: 'APP_MANAGER_DYNAMODB_ENDPOINT',
    key: 'appManager.dynamodb.endpoint',
    target: 'appManager.dynamodb.endpoint',
    parse: text({ allowEmpty: true }),
    doc: "DynamoDB endpoint URL (empty: the region's)",
  }),
  setting({
    env: 'DB_POOLING_ENABLED',
    key: 'databasePooling.enabled',
    target: 'appManager.pooling.enabled',
    parse: parseBoolean,
    doc: 'use DB_POOLING_MIN/MAX for the connection pool (off: 0 to 10)',
  }),
  setting({
    env: 'DB_POOLING_MIN',
    key: 'databasePooling.min',
    target: 'appManager.pooling.min',
    parse: parseCount,
    doc: 'idle connections kept open',
  }),
  setting({
    env: 'DB_POOLING_MAX',
    key: 'databasePooling.max',
    target: 'appManager.pooling.max',
    parse: integer(1),
    doc: 'most connections open',
  }),
  ...database('postgres', 'PostgreSQL'),
  ...database('mysql', 'MySQL/MariaDB'),
];
