import test from 'ava';
import { resolveConfig } from '../src/config/resolve.js';
import { cacheTtlMs, unusedAppSettingsWarning } from '../src/app-managers/createAppManager.js';
import { ConfigError } from '../src/config/errors.js';

test("soketi's APP_MANAGER_* and DB_* names fill the app manager settings, with soketi's defaults", (t) => {
  const config = resolveConfig({
    env: {
      APP_MANAGER_DRIVER: 'postgres',
      APP_MANAGER_CACHE_ENABLED: 'true',
      APP_MANAGER_CACHE_TTL: '30',
      APP_MANAGER_POSTGRES_TABLE: 'tenants.apps',
      DB_POSTGRES_HOST: 'db.internal',
      DB_POSTGRES_PASSWORD: 'secret',
      SOKETI_DB_POOLING_ENABLED: 'true',
      DB_POOLING_MAX: '3',
    },
  });
  const { appManager } = config;
  t.is(appManager.driver, 'postgres');
  t.deepEqual(appManager.cache, { enabled: true, ttl: 30 });
  t.is(appManager.postgres.table, 'tenants.apps');
  t.deepEqual(appManager.database.postgres, {
    host: 'db.internal',
    port: 5432,
    user: 'postgres',
    password: 'secret',
    database: 'main',
  });
  t.deepEqual(appManager.pooling, { enabled: true, min: 0, max: 3 });
  t.is(appManager.mysql.table, 'apps');
  t.is(appManager.database.mysql.user, 'root');
  t.is(config.warnings.length, 0);
});

test('a table name that is not an identifier is refused (it goes into SQL text)', (t) => {
  const error = t.throws(() => resolveConfig({ env: { APP_MANAGER_MYSQL_TABLE: 'apps; drop table x' } }));
  t.true(error instanceof ConfigError);
  t.regex(error?.message ?? '', /APP_MANAGER_MYSQL_TABLE/);
});

test('cache TTL: off is 1 s, -1 is 60 s, seconds otherwise', (t) => {
  t.is(cacheTtlMs({ enabled: false, ttl: 300 }), 1_000);
  t.is(cacheTtlMs({ enabled: true, ttl: -1 }), 60_000);
  t.is(cacheTtlMs({ enabled: true, ttl: 5 }), 5_000);
});

test("DynamoDB: soketi's APP_MANAGER_DYNAMODB_* names", (t) => {
  const { appManager } = resolveConfig({
    env: { APP_MANAGER_DRIVER: 'dynamodb', APP_MANAGER_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' },
  });
  t.is(appManager.driver, 'dynamodb');
  t.deepEqual(appManager.dynamodb, { table: 'apps', region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' });
});

test('DEFAULT_APP_* with a database driver is a warning naming what is ignored', (t) => {
  const config = resolveConfig({
    env: { APP_MANAGER_DRIVER: 'mysql', DEFAULT_APP_KEY: 'k', SOKETI_DEFAULT_APP_ID: '1' },
  });
  t.regex(unusedAppSettingsWarning(config) ?? '', /DEFAULT_APP_KEY.*ignored: apps come from APP_MANAGER_DRIVER=mysql/);
  t.regex(unusedAppSettingsWarning(config) ?? '', /SOKETI_DEFAULT_APP_ID/);
  t.is(unusedAppSettingsWarning(resolveConfig({ env: { DEFAULT_APP_KEY: 'k' } })), undefined);
});
