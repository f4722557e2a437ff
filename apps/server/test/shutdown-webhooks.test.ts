import test from 'ava';
import { REPEAT_WINDOW_MS } from '../src/shutdown.js';
import { authorizedClient, startReceiver, subscribed, summary, waitFor } from '@meshpush/test-support';
import { startServer } from './support/server.js';
import { webhookEnv } from './webhooks-support.js';

const EVENTS = ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed'];

test('SIGTERM on a lone node sends its pending leaves at once, flushes the queue, then exits 0', async (t) => {
  const receiver = await startReceiver(t);
  const server = await startServer(t, {
    // A leave delay longer than the test: only the shutdown flush can send these leaves.
    env: webhookEnv([{ url: receiver.url(), event_types: EVENTS }], {
      WEBHOOKS_LEAVE_DELAY_MS: '60000',
      WEBHOOKS_BATCHING: 'true',
      WEBHOOKS_BATCHING_DURATION: '5000',
    }),
  });
  const client = authorizedClient(t, server, { id: 'u1' });
  await subscribed(client, 'presence-room');
  const stoppedAt = Date.now();
  t.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null });
  t.true(Date.now() - stoppedAt < 5000, 'the open batch was not waited for');
  t.deepEqual(summary(receiver.delivered()).sort(), [
    'channel_occupied:presence-room',
    'channel_vacated:presence-room',
    'member_added:presence-room:u1',
    'member_removed:presence-room:u1',
  ]);
  t.true(receiver.received.every((r) => r.valid));
});

test('a receiver that never answers cannot hold the drain past SHUTDOWN_GRACE_PERIOD; what is left is dropped and logged', async (t) => {
  const receiver = await startReceiver(t);
  receiver.failNext(10, 'hang');
  const server = await startServer(t, {
    env: webhookEnv([{ url: receiver.url(), event_types: EVENTS }], {
      SHUTDOWN_GRACE_PERIOD: '500',
      WEBHOOKS_MAX_CONCURRENT_REQUESTS: '1',
    }),
  });
  const client = authorizedClient(t, server, { id: 'u1' });
  await subscribed(client, 'presence-room');
  await waitFor(() => receiver.hanging() === 1, { message: 'the first request in flight' });
  const stoppedAt = Date.now();
  t.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null });
  const tookMs = Date.now() - stoppedAt;
  t.true(tookMs >= 450 && tookMs < 2500, `drained in ${tookMs} ms`);
  t.regex(server.output(), /webhook events dropped.*shutdown/);
});

test('a second signal during the drain exits at once', async (t) => {
  const receiver = await startReceiver(t);
  receiver.failNext(10, 'hang');
  const server = await startServer(t, {
    env: webhookEnv([{ url: receiver.url(), event_types: EVENTS }], { SHUTDOWN_GRACE_PERIOD: '30000' }),
  });
  await subscribed(authorizedClient(t, server, { id: 'u1' }), 'presence-room');
  await waitFor(() => receiver.hanging() > 0, { message: 'a request in flight' });
  server.child.kill('SIGTERM');
  await waitFor(() => /SIGTERM received: draining/.test(server.output()), { message: 'the drain to start' });
  // Sooner, it would be taken as a copy of the first (shutdown-signals.test.ts).
  const drainSeenAt = Date.now();
  await waitFor(() => Date.now() - drainSeenAt > REPEAT_WINDOW_MS, { message: 'the repeat window to pass' });
  const secondAt = Date.now();
  t.deepEqual(await server.stop('SIGTERM'), { code: 143, signal: null });
  t.true(Date.now() - secondAt < 2000);
  t.regex(server.output(), /SIGTERM again: exiting without finishing the drain/);
});
