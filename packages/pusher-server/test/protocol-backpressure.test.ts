import test from 'ava';
import WebSocket from 'ws';
import { nextEvent, pusherClient, pusherSdk, subscribed, waitFor } from '@meshpush/test-support';
import { startServer } from './support/embeddedServer.js';

async function subscriptionCount(sdk: ReturnType<typeof pusherSdk>, channel: string): Promise<number> {
  const info = await (await sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } })).json();
  return info.subscription_count ?? 0;
}

test('a client that stops reading is disconnected once its buffer passes the limit; others keep receiving', async (t) => {
  const server = await startServer(t, { maxBackpressureBytes: 256 * 1024 });
  const sdk = pusherSdk(server);
  const slow = new WebSocket(`ws://127.0.0.1:${server.port}/app/app-key?protocol=7`);
  t.teardown(() => slow.terminate());
  await new Promise((resolve) => slow.once('message', resolve));
  slow.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'firehose' } }));
  await new Promise((resolve) => slow.once('message', resolve));
  // Stop reading: the kernel buffers fill up, then uWS's per-socket buffer grows.
  (slow as unknown as { _socket: { pause(): void } })._socket.pause();

  const healthy = pusherClient(t, server);
  const { channel } = await subscribed(healthy, 'firehose');
  let healthyGot = 0;
  channel.bind('chunk', () => healthyGot++);
  const payload = 'x'.repeat(60 * 1024);
  for (let i = 0; i < 150 && (await subscriptionCount(sdk, 'firehose')) === 2; i++) {
    await sdk.trigger('firehose', 'chunk', payload);
  }
  await waitFor(async () => (await subscriptionCount(sdk, 'firehose')) === 1, {
    timeoutMs: 10_000,
    message: 'the slow subscriber was dropped by the server',
  });
  const last = nextEvent(channel, 'after');
  await sdk.trigger('firehose', 'after', {});
  await last;
  t.true(healthyGot > 0, 'the healthy client kept receiving');
  t.is(healthy.connection.state, 'connected');
});
