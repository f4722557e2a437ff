import test from 'ava';
import { LocalRateLimiter } from '@meshpush/cluster-ratelimiter';
import { LocalAdapter } from '../src/adapter/LocalAdapter.js';
import { resolveApp } from '../src/app-manager/App.js';
import { defaultServerConfig } from '../src/config/ServerConfig.js';
import { ErrorCodes } from '../src/protocol/CloseCodes.js';
import { createProtocolCore } from '../src/publish/createProtocolCore.js';
import { AppRateLimiter, type RateLimitKind } from '../src/rate-limit/AppRateLimiter.js';
import { silentLogger } from '../src/util/Logger.js';
import { FakeHub, FakeSocket, privateAuth } from './support/fakeSockets.js';

async function setup(maxClientEventsPerSecond: number) {
  const config = defaultServerConfig();
  let now = 0;
  const rejections: Array<[string, RateLimitKind]> = [];
  const rateLimiter = new AppRateLimiter({
    perConnection: new LocalRateLimiter({ now: () => now }),
    observer: { rateLimited: (appId, limit) => rejections.push([appId, limit]) },
  });
  const hub = new FakeHub();
  const adapter = new LocalAdapter();
  const { protocol, fanout } = createProtocolCore({
    adapter,
    config,
    logger: silentLogger,
    nowMs: Date.now,
    rateLimiter,
    publishToTopic: (topic, frame) => hub.publish(topic, frame),
  });
  await adapter.start(protocol, fanout);
  const app = resolveApp(
    { id: 'a', key: 'k', secret: 's', enableClientMessages: true, maxClientEventsPerSecond },
    config.limits,
  );
  const join = () => {
    const socket = new FakeSocket(hub);
    const connection = protocol.open(socket, app);
    const auth = privateAuth(app, connection.id, 'private-room');
    protocol.message(
      connection,
      JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'private-room', auth } }),
    );
    return { socket, connection };
  };
  type Joined = ReturnType<typeof join>['connection'];
  const sendRaw = (connection: Joined, message: unknown) => protocol.message(connection, JSON.stringify(message));
  const send = (connection: Joined) =>
    sendRaw(connection, { event: 'client-move', channel: 'private-room', data: { x: 1 } });
  return { join, send, sendRaw, advance: (ms: number) => (now += ms), rejections, rateLimiter };
}

test('client events over the per-connection limit get pusher:error 4301; the socket stays open', async (t) => {
  const { join, send, advance, rejections, rateLimiter } = await setup(10);
  const sender = join();
  const receiver = join();
  for (let i = 0; i < 15; i++) send(sender.connection);
  t.is(receiver.socket.events('client-move').length, 10);
  const errors = sender.socket.events('pusher:error');
  t.is(errors.length, 5);
  t.is(errors[0]?.data.code, ErrorCodes.ClientEventRateLimited);
  t.is(sender.socket.closedWith, undefined);
  t.is(rejections.length, 5);
  t.deepEqual(rejections[0], ['a', 'client_events']);
  advance(100);
  send(sender.connection);
  t.is(receiver.socket.events('client-move').length, 11, 'one token after 100 ms at 10/s');
  t.deepEqual(
    rateLimiter.counts().find((c) => c.kind === 'client_events'),
    { appId: 'a', kind: 'client_events', admitted: 11, rejected: 5 },
  );
});

test('each connection has its own client event budget', async (t) => {
  const { join, send } = await setup(3);
  const first = join();
  const second = join();
  for (let i = 0; i < 5; i++) send(first.connection);
  for (let i = 0; i < 5; i++) send(second.connection);
  t.is(first.socket.events('pusher:error').length, 2);
  t.is(second.socket.events('pusher:error').length, 2);
});

test('an invalid client event is refused for what it is, and takes no point', async (t) => {
  const { join, send, sendRaw, rateLimiter } = await setup(1);
  const { socket, connection } = join();
  const other = join();
  sendRaw(connection, { event: 'client-move', channel: 'private-elsewhere', data: {} });
  t.is(socket.events('pusher:error')[0]?.data.code, null);
  send(connection);
  t.is(other.socket.events('client-move').length, 1);
  t.is(rateLimiter.counts().find((c) => c.kind === 'client_events')?.admitted, 1);
});
