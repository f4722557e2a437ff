import test from 'ava';
import * as sdk from '@aws-sdk/client-dynamodb';
import { CachingAppManager, defaultLimits, silentLogger, type AppStore } from '@meshpush/pusher-server';
import type { TeardownHost } from '@meshpush/test-support';
import { appStoreDrivers } from '../src/app-managers/createAppManager.js';
import { DynamoDbAppStore } from '../src/app-managers/dynamodb.js';
import { resolveConfig } from '../src/config/resolve.js';
import { databasesAvailable } from './app-manager-support/availability.js';
import { createMysql, createPostgres, type TestDatabase } from './app-manager-support/databases.js';
import { createDynamoDb } from './app-manager-support/dynamodb.js';

// Re-validation reads the apps with open sockets in one query per chunk (SQL `id IN (…)`,
// DynamoDB `BatchGetItem`), on the real databases: 250 apps are one SQL query, three batches of
// at most 100 keys in DynamoDB.
const APPS = 250;

const sqlDatabases = [
  ['postgres', createPostgres, 1],
  ['mysql', createMysql, 1],
] as const;
const available = await databasesAvailable(
  test,
  sqlDatabases.map(([name]) => name),
);
const databases: ReadonlyArray<readonly [string, (t: TeardownHost) => Promise<TestDatabase>, number]> = [
  ...(available ? sqlDatabases : []),
  ['dynamodb', createDynamoDb, 3],
];

/** The driver `start` would build for `db`, behind the cache, in this process. */
async function manager(t: TeardownHost, db: TestDatabase): Promise<{ apps: CachingAppManager; store: AppStore }> {
  // The AWS SDK takes its credentials from the process environment, not from the settings.
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) process.env[name] ??= db.env[name];
  const settings = resolveConfig({ env: db.env }).appManager;
  if (settings.driver === 'array') throw new Error('a database driver was expected');
  const store = await appStoreDrivers[settings.driver](settings, silentLogger);
  const apps = new CachingAppManager({ store, serverLimits: defaultLimits, ttlMs: 60_000 });
  t.teardown(() => apps.close());
  return { apps, store };
}

for (const [name, create, expectedQueries] of databases) {
  test.serial(`${name}: one re-validation pass over ${APPS} apps, batch queries: ${expectedQueries}`, async (t) => {
    const db = await create(t);
    const ids = Array.from({ length: APPS }, (_, index) => `app-${index}`);
    for (const id of ids) await db.insert({ id, key: `key-${id}`, secret: 's', max_connections: 10 });
    const { apps, store } = await manager(t, db);
    t.is(typeof store.findByIds, 'function', 'the driver has the batch path');
    await db.update('app-1', { enabled: 0, max_connections: 7 });
    await db.remove('app-2');

    const before = apps.stats().queries;
    const found = await apps.revalidateMany([...ids, 'never-existed']);
    t.is(apps.stats().queries - before, expectedQueries);
    t.is(found.size, APPS + 1);
    t.is(found.get('app-0')?.maxConnections, 10);
    t.like(found.get('app-1'), { enabled: false, maxConnections: 7 });
    t.true(found.has('app-2'));
    t.is(found.get('app-2'), undefined, 'deleted');
    t.is(found.get('never-existed'), undefined);
    t.is([...found.values()].filter(Boolean).length, APPS - 1);
  });
}

/** A DynamoDB client that answers each BatchGetItem from `answer` and records the keys asked. */
function batchClient(answer: (ids: string[], call: number) => { found: string[]; unprocessed: string[] }) {
  const asked: string[][] = [];
  const client = {
    send: (command: sdk.BatchGetItemCommand) => {
      const ids = (command.input.RequestItems?.apps?.Keys ?? []).map((key) => String(key.AppId?.S));
      asked.push(ids);
      const { found, unprocessed } = answer(ids, asked.length);
      return Promise.resolve({
        Responses: {
          apps: found.map((id) => ({ AppId: { S: id }, AppKey: { S: `key-${id}` }, AppSecret: { S: 's' } })),
        },
        UnprocessedKeys:
          unprocessed.length > 0 ? { apps: { Keys: unprocessed.map((id) => ({ AppId: { S: id } })) } } : {},
      });
    },
  };
  const store = new DynamoDbAppStore(sdk, client as unknown as sdk.DynamoDBClient, 'apps', silentLogger);
  return { store, asked };
}

test('dynamodb: unprocessed keys of a BatchGetItem are asked again', async (t) => {
  const { store, asked } = batchClient((ids, call) =>
    call === 1 ? { found: ids.slice(0, 1), unprocessed: ids.slice(1) } : { found: ids, unprocessed: [] },
  );
  const found = await store.findByIds(['a', 'b', 'c']);
  t.deepEqual(asked, [
    ['a', 'b', 'c'],
    ['b', 'c'],
  ]);
  t.deepEqual([...found.keys()].sort(), ['a', 'b', 'c']);
});

test('dynamodb: keys still unprocessed after the retries fail the query (the cache keeps its apps)', async (t) => {
  const { store, asked } = batchClient((ids) => ({ found: [], unprocessed: ids }));
  await t.throwsAsync(store.findByIds(['a']), { message: /unprocessed/ });
  t.is(asked.length, 4);
});
