import test from 'ava';
import { authorizedClient, pusherClient, pusherSdk, startReceiver, subscribed, waitFor } from '@meshpush/test-support';
import { createServer } from '../src/PusherServer.js';
import { consoleFetch, MemoryNetwork, openStream, startNode, TOKEN, type ConsoleNode } from './support/debugConsole.js';

const has = (
  records: readonly { kind: string; node: string; channel?: string }[],
  kind: string,
  node: string,
  channel?: string,
) => records.some((r) => r.kind === kind && r.node === node && (channel === undefined || r.channel === channel));

async function tapOf(node: ConsoleNode): Promise<{ published: number; produced: number }> {
  const body = (await (await consoleFetch(node, '/api/cluster')).json()) as {
    tap: { published: number; produced: number };
  };
  return body.tap;
}

test('disabled: the console is absent from the metrics listener', async (t) => {
  const server = createServer({ host: '127.0.0.1', port: 0, metrics: { enabled: true, host: '127.0.0.1', port: 0 } });
  await server.start();
  t.teardown(() => server.stop());
  for (const path of ['/console/', '/console/api/apps']) {
    const response = await fetch(`http://127.0.0.1:${server.metricsPort}${path}`, {
      headers: { Authorization: `Bearer x` },
    });
    t.is(response.status, 404, path);
  }
});

test('enabled without a token: refused at creation', (t) => {
  t.throws(() => createServer({ debugConsole: { enabled: true } }), { message: /debugConsole.token/ });
});

test('the API wants the token, lists apps by id and key, never the secret', async (t) => {
  const node = await startNode(t, new MemoryNetwork());
  t.is((await consoleFetch(node, '/api/apps', {}, 'wrong')).status, 401);
  t.is((await fetch(`http://127.0.0.1:${node.server.metricsPort}/console/api/apps`)).status, 401);
  const answer = await consoleFetch(node, '/api/apps');
  t.is(answer.status, 200);
  const text = await answer.text();
  t.deepEqual(JSON.parse(text), [{ id: 'app-id', key: 'app-key' }]);
  t.false(text.includes('app-secret'));
  t.is((await fetch(`http://127.0.0.1:${node.server.port}/console/`)).status, 404, 'never on the public port');
});

test('a console on B sees A and C, nothing is produced before it opens nor after it closes', async (t) => {
  const network = new MemoryNetwork();
  const [a, b, c] = [await startNode(t, network), await startNode(t, network), await startNode(t, network)];
  await network.settle();
  // No console anywhere: events and subscriptions cost nothing and cross no route as records.
  const early = pusherClient(t, a.server);
  await subscribed(early, 'news');
  await pusherSdk(c.server).trigger('news', 'before', { n: 0 });
  await waitFor(async () => (await tapOf(a)).published === 0 && (await tapOf(c)).published === 0);
  t.false(a.transport.receivedPublishes.concat(b.transport.receivedPublishes).some((s) => s.endsWith('$debug')));
  t.is((await tapOf(a)).produced + (await tapOf(b)).produced + (await tapOf(c)).produced, 0);

  const stream = await openStream(t, b);
  await waitFor(() => network.settle().then(() => true));
  const client = pusherClient(t, a.server);
  const { channel } = await subscribed(client, 'orders');
  await waitFor(
    () => has(stream.records, 'connection_opened', a.nodeId) && has(stream.records, 'subscribed', a.nodeId, 'orders'),
    {
      timeoutMs: 1000,
      message: 'A’s connection and subscription on B’s console within 1 s',
    },
  );

  await pusherSdk(c.server).trigger('orders', 'created', { id: 7 });
  await waitFor(() => has(stream.records, 'api_message', c.nodeId, 'orders'), { message: 'C’s API message' });
  t.like(
    stream.records.find((r) => r.kind === 'api_message'),
    { event: 'created', sizeBytes: 8 },
  );

  const received = new Promise((resolve) => channel.bind('from-console', resolve));
  const created = await consoleFetch(b, '/api/apps/app-id/events', {
    method: 'POST',
    body: JSON.stringify({ channel: 'orders', event: 'from-console', data: { hello: 'world' } }),
  });
  t.is(created.status, 200);
  t.deepEqual(await received, { hello: 'world' });

  stream.close();
  const before = (await tapOf(a)).produced;
  await waitFor(
    async () => {
      await pusherSdk(c.server).trigger('orders', 'after', {});
      await network.settle();
      return (await tapOf(a)).produced === before;
    },
    { message: 'A stops producing once the console closed' },
  );
});

test('presence members: records and the channel view', async (t) => {
  const network = new MemoryNetwork();
  const [a, b] = [await startNode(t, network), await startNode(t, network)];
  await network.settle();
  const stream = await openStream(t, b);
  await network.settle();
  const client = authorizedClient(t, a.server, { id: 'alice', info: { name: 'Alice' } });
  await subscribed(client, 'presence-room');
  await waitFor(() => has(stream.records, 'member_added', a.nodeId, 'presence-room'));
  const members = await (await consoleFetch(b, '/api/apps/app-id/members?channel=presence-room')).json();
  t.deepEqual(members, [{ id: 'alice', info: { name: 'Alice' } }]);
  const channels = await (await consoleFetch(b, '/api/apps/app-id/channels')).json();
  t.deepEqual(channels, [{ name: 'presence-room', subscriptionCount: 1, userCount: 1 }]);
  client.unsubscribe('presence-room');
  await waitFor(() => has(stream.records, 'member_removed', a.nodeId, 'presence-room'));
});

test('a busy app: the browser gets at most its cap per second and sees the dropped count', async (t) => {
  const node = await startNode(t, new MemoryNetwork(), {
    debugConsole: { enabled: true, token: TOKEN, maxRecordsPerSec: 5 },
  });
  const stream = await openStream(t, node);
  const sdk = pusherSdk(node.server);
  await Promise.all(Array.from({ length: 30 }, (_, n) => sdk.trigger('busy', 'tick', { n })));
  await waitFor(() => stream.dropped >= 20, { message: 'the dropped count' });
  t.true(stream.records.length <= 10, `${stream.records.length} records`);
});

test('client events, cache misses and webhook attempts are recorded, without the event data', async (t) => {
  const receiver = await startReceiver(t);
  receiver.failNext(1, 500);
  const app = {
    id: 'app-id',
    key: 'app-key',
    secret: 'app-secret',
    enableClientMessages: true,
    webhooks: [{ url: receiver.url(), event_types: ['channel_occupied'] }],
  };
  const node = await startNode(t, new MemoryNetwork(), {
    apps: [app],
    webhooks: { retryInitialDelayMs: 10 },
  });
  const stream = await openStream(t, node);
  const client = authorizedClient(t, node.server, { id: 'u1' });
  const { channel } = await subscribed(client, 'private-chat');
  channel.trigger('client-typing', { secret: 'not-in-the-log' });
  await subscribed(client, 'cache-prices');
  await waitFor(() => has(stream.records, 'client_event', node.nodeId, 'private-chat'), { message: 'client event' });
  await waitFor(() => has(stream.records, 'cache_miss', node.nodeId, 'cache-prices'), { message: 'cache miss' });
  const attemptsOf = (name: string) => stream.records.filter((r) => r.kind === 'webhook_sent' && r.channel === name);
  await waitFor(() => attemptsOf('private-chat').length >= 2, { message: 'a failed attempt and its retry' });
  const attempts = attemptsOf('private-chat');
  t.like(attempts[0], { event: 'channel_occupied', status: 'HTTP 500', attempt: 1 });
  t.like(attempts[1], { event: 'channel_occupied', status: 'HTTP 200', attempt: 2 });
  t.like(
    stream.records.find((r) => r.kind === 'client_event'),
    { event: 'client-typing', sizeBytes: 27 },
  );
  t.false(JSON.stringify(stream.records).includes('not-in-the-log'));
});
