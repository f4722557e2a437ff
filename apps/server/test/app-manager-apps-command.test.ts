import test from 'ava';
import { pusherSdk, rawConnect, subscribed, waitFor, pusherClient, type TeardownHost } from '@meshpush/test-support';
import { databasesAvailable } from './app-manager-support/availability.js';
import { createMysql, createPostgres } from './app-manager-support/databases.js';
import { runCli } from './support/process.js';
import { startServer } from './support/server.js';

const CACHE_ENV = { APP_MANAGER_CACHE_ENABLED: 'true', APP_MANAGER_CACHE_TTL: '1' };

const databases = [
  ['postgres', createPostgres],
  ['mysql', createMysql],
] as const;
const available = await databasesAvailable(
  test,
  databases.map(([name]) => name),
);

for (const [name, create] of available ? databases : []) {
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

test('meshpush apps refuses the array driver', async (t) => {
  const run = await runCli(['apps', 'list']);
  t.is(run.code, 1);
  t.regex(run.stderr, /APP_MANAGER_DRIVER=postgres or mysql/);
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
