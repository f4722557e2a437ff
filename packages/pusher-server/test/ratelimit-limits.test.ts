import test from 'ava';
import { authorizedClient, pusherSdk, subscribed, waitFor } from '@meshpush/test-support';
import { defaultAppWith, httpBase, startServer } from './support/embeddedServer.js';

test('a client sending 50 client events/s with a limit of 10 gets 4301 errors and stays connected', async (t) => {
  const server = await startServer(t, {
    apps: defaultAppWith({ enableClientMessages: true, maxClientEventsPerSecond: 10 }),
  });
  const sender = authorizedClient(t, server, { id: 'sender' });
  const receiver = authorizedClient(t, server, { id: 'receiver' });
  const { channel: sending } = await subscribed(sender, 'private-game');
  const { channel: receiving } = await subscribed(receiver, 'private-game');
  let received = 0;
  receiving.bind('client-move', () => received++);
  const codes: number[] = [];
  sender.connection.bind('error', (error: { type?: string; data?: { code?: number } }) => {
    if (error.type === 'PusherError' && typeof error.data?.code === 'number') codes.push(error.data.code);
  });

  // A fixed 2 s of sending at 50/s: 100 events against 10/s plus a burst of 10.
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      sending.trigger('client-move', { n: sent++ });
      if (sent === 100) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
  });
  await waitFor(() => received + codes.length >= sent, {
    timeoutMs: 5000,
    message: 'every client event admitted or refused',
  });
  t.log(`sent ${sent}, relayed ${received}, refused with 4301: ${codes.length}`);
  t.true(codes.length >= 50, `${codes.length} refusals`);
  t.true(codes.every((code) => code === 4301));
  t.true(received >= 15 && received <= 45, `${received} relayed (about 10/s over 2 s plus the burst)`);
  t.is(sender.connection.state, 'connected');
  // Below the limit (5/s), the same socket relays again.
  const before = received;
  await waitFor(() => received > before || (sending.trigger('client-move', { n: 'after' }), false), {
    timeoutMs: 5000,
    intervalMs: 200,
    message: 'the socket relays again below the limit',
  });
});

test('HTTP: publishes over the backend limit get 429 with Retry-After; reads have their own limit', async (t) => {
  const server = await startServer(t, {
    apps: defaultAppWith({ maxBackendEventsPerSecond: 3, maxReadRequestsPerSecond: 2 }),
  });
  const sdk = pusherSdk(server);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    statuses.push(
      await sdk.trigger('news', 'e', { i }).then(
        (r) => r.status,
        (e: { status?: number }) => e.status ?? 0,
      ),
    );
  }
  t.deepEqual(statuses, [200, 200, 200, 429, 429]);

  const body = JSON.stringify({ name: 'e', data: '{}', channel: 'news' });
  const path = '/apps/app-id/events';
  const query = sdk.createSignedQueryString({ method: 'POST', path, body });
  const refused = await fetch(`${httpBase(server)}${path}?${query}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  t.is(refused.status, 429);
  t.is(refused.headers.get('retry-after'), '1');
  t.regex(((await refused.json()) as { error: string }).error, /3 backend events per second/);

  const reads = [];
  for (let i = 0; i < 3; i++)
    reads.push(
      await sdk.get({ path: '/channels' }).then(
        (r) => r.status,
        (e: { status?: number }) => e.status ?? 0,
      ),
    );
  t.deepEqual(reads, [200, 200, 429]);
});
