import type { TestFn } from 'ava';
import WebSocket from 'ws';
import {
  freePort,
  nextEvent,
  parsePrometheus,
  pusherClient,
  pusherSdk,
  rawConnect,
  startReceiver,
  subscribed,
  waitFor,
  type TeardownHost,
} from '@meshpush/test-support';
import { startServer, type RunningServer } from '../support/server.js';
import type { AppRow, TestDatabase } from './databases.js';

/** soketi's own fixture row, and a second app. */
const APP_1: AppRow = { id: 'app-id', key: 'app-key', secret: 'app-secret', enable_client_messages: 1 };
const APP_2: AppRow = { id: 'app-2', key: 'key-2', secret: 'secret-2' };

/** A 1 s cache TTL, so a changed row must show within about a second. */
const CACHE_ENV = { APP_MANAGER_CACHE_ENABLED: 'true', APP_MANAGER_CACHE_TTL: '1' };
const TTL_DEADLINE_MS = 5_000;

async function serve(t: TeardownHost, db: TestDatabase, env: Record<string, string> = {}): Promise<RunningServer> {
  return startServer(t, {
    env: {
      ...db.env,
      ...CACHE_ENV,
      METRICS_ENABLED: 'true',
      METRICS_HOST: '127.0.0.1',
      METRICS_SERVER_PORT: '0',
      ...env,
    },
  });
}

async function metrics(server: RunningServer): Promise<ReturnType<typeof parsePrometheus>> {
  const response = await fetch(`http://127.0.0.1:${server.metricsPort ?? 0}/metrics`);
  return parsePrometheus(await response.text());
}

/** pusher-js for one app, its channel and user auth signed in-process with that app's secret. */
function appClient(t: TeardownHost, server: RunningServer, app: AppRow, userId = 'u1'): any {
  const sdk = pusherSdk(server, { appId: app.id, key: app.key, secret: app.secret });
  return pusherClient(t, server, {
    key: app.key,
    channelAuthorization: {
      customHandler: (
        { socketId, channelName }: { socketId: string; channelName: string },
        callback: (error: unknown, auth: unknown) => void,
      ) =>
        callback(
          null,
          channelName.startsWith('presence-')
            ? sdk.authorizeChannel(socketId, channelName, { user_id: userId, user_info: { name: userId } })
            : sdk.authorizeChannel(socketId, channelName),
        ),
    },
  });
}

/** Opens a socket and resolves with the close code, or with 0 if it is still open (connected) at the deadline. */
function closeCode(port: number, key: string, timeoutMs = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${key}?protocol=7`);
    const timer = setTimeout(() => reject(new Error(`no close for key ${key} within ${timeoutMs} ms`)), timeoutMs);
    ws.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    ws.on('error', () => undefined);
  });
}

export function appManagerScenarios(test: TestFn, createDatabase: (t: TeardownHost) => Promise<TestDatabase>): void {
  test.serial(
    'two apps from the table: connect, private and presence auth, REST trigger, webhooks from the row',
    async (t) => {
      const db = await createDatabase(t);
      const receiver = await startReceiver(t);
      await db.insert({
        ...APP_1,
        webhooks: JSON.stringify([{ url: receiver.url(), event_types: ['channel_occupied'] }]),
      });
      await db.insert(APP_2);
      const server = await serve(t, db);
      for (const app of [APP_1, APP_2]) {
        const client = appClient(t, server, app);
        const { channel } = await subscribed(client, 'private-orders');
        const presence = await subscribed(client, 'presence-room');
        t.is(presence.data.count, 1, `${app.id}: presence member`);
        const received = nextEvent(channel, 'shipped');
        await pusherSdk(server, { appId: app.id, key: app.key, secret: app.secret }).trigger(
          'private-orders',
          'shipped',
          {
            app: app.id,
          },
        );
        t.deepEqual(await received, { app: app.id });
      }
      await receiver.waitFor(
        (events) => events.some((e) => e.name === 'channel_occupied' && e.channel === 'private-orders'),
        'channel_occupied from the webhook in the row',
      );
      t.true(receiver.delivered().every((event) => event.path === '/hook'));
      t.is(await closeCode(server.port, 'no-such-key'), 4001);
    },
  );

  test.serial(
    'a row changed under connected clients takes effect within the TTL; a disabled app is closed with 4003',
    async (t) => {
      const db = await createDatabase(t);
      await db.insert(APP_1);
      await db.insert(APP_2);
      const server = await serve(t, db);
      const alice = appClient(t, server, APP_2, 'alice');
      const bob = appClient(t, server, APP_2, 'bob');
      const { channel: aliceChannel } = await subscribed(alice, 'private-chat');
      const { channel: bobChannel } = await subscribed(bob, 'private-chat');
      const refused = await nextEventAfter(alice, 'error', () => aliceChannel.trigger('client-typing', {}));
      t.regex(JSON.stringify(refused), /not enabled/);

      await db.update(APP_2.id, { enable_client_messages: 1 });
      let seen = false;
      bobChannel.bind('client-typing', () => (seen = true));
      await waitFor(
        () => {
          aliceChannel.trigger('client-typing', {});
          return seen;
        },
        { timeoutMs: TTL_DEADLINE_MS, intervalMs: 200, message: 'client events allowed on open sockets' },
      );

      const socket = await rawConnect(t, server.port, `/app/${APP_2.key}?protocol=7`);
      const other = await rawConnect(t, server.port, `/app/${APP_1.key}?protocol=7`);
      await db.update(APP_2.id, { enabled: 0 });
      const closed = await Promise.race([
        socket.closed,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not closed in time')), TTL_DEADLINE_MS)),
      ]);
      t.is(closed.code, 4003);
      t.is(await closeCode(server.port, APP_2.key), 4003, 'new connections refused too');
      await db.remove(APP_2.id);
      await waitFor(async () => (await closeCode(server.port, APP_2.key)) === 4001, {
        timeoutMs: TTL_DEADLINE_MS,
        message: 'a deleted app is unknown',
      });
      t.is(other.socketId.length > 0, true, 'the other app keeps its socket');
      other.send({ event: 'pusher:ping', data: {} });
      await other.next('pusher:pong');
    },
  );

  test.serial('database unreachable: known apps keep serving, unknown keys are refused at once', async (t) => {
    const db = await createDatabase(t);
    await db.insert(APP_1);
    await db.insert(APP_2);
    const server = await serve(t, db);
    await subscribed(appClient(t, server, APP_1), 'private-a'); // APP_1 is now known (by key and id)
    await db.revoke();
    await waitFor(async () => (await metrics(server)).value('meshpush_app_manager_database_up') === 0, {
      timeoutMs: TTL_DEADLINE_MS,
      intervalMs: 200,
      // The revalidation of APP_1 (it has open sockets) asks the database every TTL.
      message: 'the outage is seen',
    });
    const late = appClient(t, server, APP_1, 'late');
    const { channel } = await subscribed(late, 'private-b');
    const received = nextEvent(channel, 'still');
    await pusherSdk(server, { appId: APP_1.id, key: APP_1.key, secret: APP_1.secret }).trigger(
      'private-b',
      'still',
      {},
    );
    await received;
    const started = Date.now();
    t.is(await closeCode(server.port, 'unknown-during-outage'), 4001);
    t.true(Date.now() - started < 3_000, 'refused without hanging');
    t.is((await fetch(`${server.httpBase}/ready`)).status, 200);
    t.is(server.output().match(/app database unreachable/g)?.length, 1, 'the outage is logged once');

    // A second server whose database port has nothing listening: it knows no app, and says so quickly.
    const deadPort = await freePort();
    const blind = await serve(t, db, db.unreachableEnv(deadPort));
    const refusedAt = Date.now();
    t.is(await closeCode(blind.port, APP_1.key), 4001);
    t.true(Date.now() - refusedAt < 3_000);
    t.is((await fetch(`${blind.httpBase}/ready`)).status, 200);

    await db.grant();
    await waitFor(async () => (await metrics(server)).value('meshpush_app_manager_database_up') === 1, {
      timeoutMs: TTL_DEADLINE_MS,
      intervalMs: 200,
      message: 'database up again',
    });
    await subscribed(appClient(t, server, APP_2), 'private-after'); // never seen before the outage
  });

  test.serial('10,000 connects with random unknown keys make a handful of queries', async (t) => {
    const db = await createDatabase(t);
    await db.insert(APP_1);
    const server = await serve(t, db);
    const before = (await metrics(server)).value('meshpush_app_manager_queries_total') ?? 0;
    const codes = await connectMany(server.port, 10_000, 200);
    t.true(
      codes.every((code) => code === 4001),
      `close codes: ${[...new Set(codes)].join(', ')}`,
    );
    const queries = ((await metrics(server)).value('meshpush_app_manager_queries_total') ?? 0) - before;
    t.log(`${queries} queries for 10,000 unknown keys`);
    t.true(queries <= 20, `${queries} queries`);
  });
}

/** Runs `action` and resolves with the next `event` the client gets. */
async function nextEventAfter(client: any, event: string, action: () => void): Promise<any> {
  const next = nextEvent(client.connection, event);
  action();
  return next;
}

/** `count` sockets with random keys, `concurrency` at a time; their close codes. */
async function connectMany(port: number, count: number, concurrency: number): Promise<number[]> {
  const codes: number[] = [];
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++;
      codes.push(await closeCode(port, `random-${Math.random().toString(36).slice(2)}`, 10_000));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return codes;
}
