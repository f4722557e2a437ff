import test from 'ava';
import { nextEvent, pusherClient, pusherSdk, scrape, subscribed, waitFor } from '@meshpush/test-support';
import { defaultAppWith, httpBase, startServer } from './support/embeddedServer.js';

const APP = { app_id: 'app-id' };

test("soketi's metric names under the chosen prefix move with connections, messages and HTTP calls", async (t) => {
  const server = await startServer(t, {
    // Loopback-only metrics on a port the kernel picks.
    metrics: { enabled: true, host: '127.0.0.1', port: 0, prefix: 'soketi_' },
    apps: defaultAppWith({ maxReadRequestsPerSecond: 1 }),
  });
  t.true(server.metricsPort > 0, 'start() bound the metrics port');
  const client = pusherClient(t, server);
  const { channel } = await subscribed(client, 'news');
  let m = await scrape(server.metricsPort);
  const labels = { ...APP, port: String(server.port) };
  t.is(m.types.get('soketi_connected'), 'gauge');
  t.is(m.types.get('soketi_new_connections_total'), 'counter');
  t.is(m.value('soketi_connected', labels), 1);
  t.is(m.value('soketi_new_connections_total', labels), 1);
  t.is(m.value('soketi_ws_messages_received', labels), 1, 'the subscribe');
  const sentBefore = m.value('soketi_ws_messages_sent', labels) ?? 0;
  const bytesBefore = m.value('soketi_socket_transmitted_bytes', labels) ?? 0;
  t.true(sentBefore >= 2, 'connection_established and subscription_succeeded');
  t.true((m.value('soketi_socket_received_bytes', labels) ?? 0) > 0);

  const sdk = pusherSdk(server);
  const received = nextEvent(channel, 'update');
  await sdk.trigger('news', 'update', { n: 1 });
  await received;
  m = await scrape(server.metricsPort);
  t.is(m.value('soketi_http_calls_received_total', labels), 1);
  t.true((m.value('soketi_http_received_bytes', labels) ?? 0) > 0);
  t.true((m.value('soketi_http_transmitted_bytes', labels) ?? 0) > 0);
  t.is(m.value('soketi_ws_messages_sent', labels), sentBefore + 1, 'the fan-out to the one subscriber');
  t.true((m.value('soketi_socket_transmitted_bytes', labels) ?? 0) > bytesBefore);

  // Two reads in a row against a limit of one per second: the second is refused and counted.
  const statuses = await Promise.all(
    [1, 2].map(() =>
      sdk.get({ path: '/channels' }).then(
        (r) => r.status,
        (e: { status?: number }) => e.status,
      ),
    ),
  );
  t.true(statuses.includes(429), `one read over the limit (got ${statuses.join(', ')})`);
  m = await scrape(server.metricsPort);
  t.is(m.value('soketi_rate_limit_rejections_total', { ...labels, limit: 'read_requests' }), 1);

  client.disconnect();
  await waitFor(async () => (await scrape(server.metricsPort)).value('soketi_connected', labels) === 0, {
    message: 'connected back to 0',
  });
  m = await scrape(server.metricsPort);
  t.is(m.value('soketi_new_disconnections_total', labels), 1);
  t.true((m.value('soketi_process_cpu_seconds_total') ?? 0) > 0);
  t.true((m.value('soketi_process_resident_memory_bytes') ?? 0) > 0);
  t.true((m.value('soketi_nodejs_heap_size_used_bytes') ?? 0) > 0);
  t.is(m.value('soketi_mesh_peers'), undefined, 'no mesh with the local adapter');

  const json = (await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics?json=1`)).json()) as Array<{
    name: string;
  }>;
  t.true(json.some((family) => family.name === 'soketi_connected'));
  t.is((await fetch(`http://127.0.0.1:${server.metricsPort}/nope`)).status, 404);
  t.is((await fetch(`${httpBase(server)}/metrics`)).status, 404, 'metrics are not on the public port');
});
