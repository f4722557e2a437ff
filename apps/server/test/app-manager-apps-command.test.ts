import test from 'ava';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { pusherSdk, rawConnect, subscribed, waitFor, pusherClient, type TeardownHost } from '@meshpush/test-support';
import { databasesAvailable } from './app-manager-support/availability.js';
import { createMysql, createPostgres, type TestDatabase } from './app-manager-support/databases.js';
import { createDynamoDb } from './app-manager-support/dynamodb.js';
import { runCli } from './support/process.js';
import { startServer } from './support/server.js';

const CACHE_ENV = { APP_MANAGER_CACHE_ENABLED: 'true', APP_MANAGER_CACHE_TTL: '1' };

const sqlDatabases = [
  ['postgres', createPostgres],
  ['mysql', createMysql],
] as const;
const available = await databasesAvailable(
  test,
  sqlDatabases.map(([name]) => name),
);
// DynamoDB is dynalite, started by the test: always there.
const databases: ReadonlyArray<readonly [string, (t: TeardownHost) => Promise<TestDatabase>]> = [
  ...(available ? sqlDatabases : []),
  ['dynamodb', createDynamoDb],
];

for (const [name, create] of databases) {
  test.serial(`${name}: meshpush apps add, list, update, disable, remove — seen by a running server`, async (t) => {
    const db = await create(t);
    await db.grantWrites();
    const apps = (...args: string[]) => runCli(['apps', ...args], { env: db.env });

    const added = await apps(
      'add',
      '--id',
      'a1',
      '--key',
      'k1',
      '--secret',
      's1',
      '--max-connections',
      '5',
      '--webhooks',
      '[{"url":"http://127.0.0.1:9/hook","event_types":["channel_occupied"]}]',
    );
    t.is(added.code, 0, added.stderr);
    const generated = await apps('add');
    t.regex(generated.stdout, /^added app \d{7}: key [0-9a-f]{20} secret [0-9a-f]{20}$/m);

    const listed = await apps('list', '--json');
    const rows = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
    t.is(rows.length, 2);
    t.like(
      rows.find((row) => row.id === 'a1'),
      { key: 'k1', secret: '(hidden)', max_connections: 5, enabled: 1 },
    );
    t.regex((await apps('list')).stdout, /^a1\tk1\t1\t5\t0\t1$/m);

    const server = await startServer(t, { env: { ...db.env, ...CACHE_ENV } });
    await subscribedAs(t, server, 'k1', 's1', 'a1');

    t.is((await apps('update', 'a1', '--enable-client-messages', 'true')).code, 0);
    const unknown = await apps('update', 'nobody', '--max-connections', '3');
    t.is(unknown.code, 1);
    t.regex(unknown.stderr, /no app with id "nobody"/);
    t.is((await apps('add', '--id', 'a1')).code, 1, 'an existing id is refused');
    // SQL refuses it through the unique index the README recommends (the test schemas have none).
    if (name === 'dynamodb') t.is((await apps('add', '--id', 'a9', '--key', 'k1')).code, 1, 'a key in use is refused');
    const bad = await apps('update', 'a1', '--max-connections', 'lots');
    t.is(bad.code, 1);
    t.regex(bad.stderr, /--max-connections/);

    const socket = await rawConnect(t, server.port, '/app/k1?protocol=7');
    t.is((await apps('disable', 'a1')).code, 0);
    t.is((await withDeadline(socket.closed, 5_000)).code, 4003);

    t.is((await apps('remove', 'a1')).code, 0);
    const missing = await apps('remove', 'a1');
    t.is(missing.code, 1);
    t.regex(missing.stderr, /no app with id "a1"/);
    await waitFor(
      async () => (await rawConnect(t, server.port, '/app/k1?protocol=7').then((s) => s.closed)).code === 4001,
      {
        timeoutMs: 5_000,
        message: 'the removed app is unknown',
      },
    );
  });
}

test("dynamodb: meshpush apps writes soketi's attribute names and types", async (t) => {
  const db = await createDynamoDb(t);
  const apps = (...args: string[]) => runCli(['apps', ...args], { env: db.env });
  const added = await apps(
    'add',
    '--id',
    'd1',
    '--key',
    'dk',
    '--secret',
    'ds',
    '--webhooks',
    '[{"url":"http://127.0.0.1:9/h"}]',
  );
  t.is(added.code, 0, added.stderr);
  t.is(
    (await apps('update', 'd1', '--max-event-payload-in-kb', '12.5', '--enable-user-authentication', 'true')).code,
    0,
  );
  t.is((await apps('disable', 'd1')).code, 0);
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: db.env.APP_MANAGER_DYNAMODB_ENDPOINT,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  t.teardown(() => client.destroy());
  const { Item } = await client.send(new GetItemCommand({ TableName: 'apps', Key: { AppId: { S: 'd1' } } }));
  t.like(Item, {
    AppId: { S: 'd1' },
    AppKey: { S: 'dk' },
    AppSecret: { S: 'ds' },
    MaxConnections: { N: '-1' },
    Enabled: { BOOL: false },
    EnableClientMessages: { BOOL: false },
    EnableUserAuthentication: { BOOL: true },
    MaxBackendEventsPerSecond: { N: '-1' },
    MaxEventPayloadInKb: { N: '12.5' },
    Webhooks: { S: '[{"url":"http://127.0.0.1:9/h"}]' },
  });
  t.false('MaxEventBatchSize' in (Item ?? {}), 'unset limits are left out (the server default)');
  const listed = JSON.parse((await apps('list', '--json', '--secrets')).stdout) as unknown[];
  t.like(listed, [
    { id: 'd1', key: 'dk', secret: 'ds', enabled: 0, enable_user_authentication: 1, max_event_batch_size: null },
  ]);
});

test('meshpush apps refuses the array driver', async (t) => {
  const run = await runCli(['apps', 'list']);
  t.is(run.code, 1);
  t.regex(run.stderr, /APP_MANAGER_DRIVER=postgres, mysql or dynamodb/);
});

async function subscribedAs(
  t: TeardownHost,
  server: { port: number },
  key: string,
  secret: string,
  appId: string,
): Promise<void> {
  const sdk = pusherSdk(server, { appId, key, secret });
  const client = pusherClient(t, server, {
    key,
    channelAuthorization: {
      customHandler: (
        { socketId, channelName }: { socketId: string; channelName: string },
        callback: (error: unknown, auth: unknown) => void,
      ) => callback(null, sdk.authorizeChannel(socketId, channelName)),
    },
  });
  await subscribed(client, 'private-x');
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
