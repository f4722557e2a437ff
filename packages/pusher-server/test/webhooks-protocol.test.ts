import test from 'ava';
import { LocalAdapter } from '../src/adapter/LocalAdapter.js';
import { defaultServerConfig } from '../src/config/ServerConfig.js';
import { createProtocolCore } from '../src/publish/createProtocolCore.js';
import { silentLogger } from '../src/util/Logger.js';
import { FakeHub, FakeSocket, privateAuth } from './support/fakeSockets.js';
import { settle, testApp, webhooksHarness } from './webhooks-support.js';

async function single() {
  const app = testApp({ enableClientMessages: true });
  const adapter = new LocalAdapter();
  const hooks = webhooksHarness({ app, cluster: adapter, config: { leaveDelayMs: 1000 } });
  const hub = new FakeHub();
  const { protocol, fanout } = createProtocolCore({
    adapter,
    config: defaultServerConfig(),
    logger: silentLogger,
    nowMs: Date.now,
    webhooks: hooks.webhooks,
    publishToTopic: (topic, frame) => hub.publish(topic, frame),
  });
  await adapter.start(protocol, fanout);
  const connect = () => {
    const socket = new FakeSocket(hub);
    const connection = protocol.open(socket, app);
    socket.onClose = () => protocol.closed(connection);
    const send = (message: unknown) => protocol.message(connection, JSON.stringify(message));
    return { socket, connection, send };
  };
  return { ...hooks, protocol, connect };
}

test('the protocol reports occupancy, cache misses and client events to the webhooks', async (t) => {
  const { connect, receiver, timers, app } = await single();
  const a = connect();
  a.send({ event: 'pusher:subscribe', data: { channel: 'cache-news' } });
  const channel = 'private-chat';
  a.send({ event: 'pusher:subscribe', data: { channel, auth: privateAuth(app, a.connection.id, channel) } });
  a.send({ event: 'client-typing', channel, data: { on: true } });
  await settle();
  t.deepEqual(receiver.events(), [
    'channel_occupied:cache-news',
    'cache_miss:cache-news',
    'channel_occupied:private-chat',
    'client_event:private-chat',
  ]);
  const clientEvent = receiver.bodies()[3]!.events[0];
  t.deepEqual(clientEvent, {
    name: 'client_event',
    channel,
    event: 'client-typing',
    data: '{"on":true}',
    socket_id: a.connection.id,
  });

  a.send({ event: 'pusher:unsubscribe', data: { channel: 'cache-news' } });
  await timers.advance(500);
  a.send({ event: 'pusher:subscribe', data: { channel: 'cache-news' } });
  await timers.advance(2000);
  t.is(
    receiver.events().filter((e) => e.startsWith('channel_')).length,
    2,
    'resubscribed within the delay: no vacated, no occupied',
  );
  a.socket.close(4200, 'bye');
  await timers.advance(1000);
  t.deepEqual(receiver.events().slice(-3).sort(), [
    'cache_miss:cache-news',
    'channel_vacated:cache-news',
    'channel_vacated:private-chat',
  ]);
});
