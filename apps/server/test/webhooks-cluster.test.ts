import test from 'ava';
import { startCluster, TEST_CLUSTER_TIMING } from './cluster-support/cluster.js';
import { authorizedClient, scrape, startReceiver, subscribed, summary, waitFor } from '@meshpush/test-support';
import { METRICS_ENV } from './metrics-support.js';
import { webhookEnv } from './webhooks-support.js';

const EVENTS = ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed'];
const LEAVE_DELAY_MS = 500;

/** Absence cannot be awaited: after the expected webhooks, any duplicate would arrive within this. */
const QUIET_MS = LEAVE_DELAY_MS + 1000;
const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

test("3 nodes: concurrent first subscribers give one channel_occupied; a killed node's members one member_removed each", async (t) => {
  const receiver = await startReceiver(t);
  const cluster = await startCluster(t, {
    nodes: 3,
    env: webhookEnv([{ url: receiver.url(), event_types: EVENTS }], {
      WEBHOOKS_LEAVE_DELAY_MS: String(LEAVE_DELAY_MS),
      ...METRICS_ENV,
    }),
  });
  // Mesh metrics: two peers each, with a round-trip time once a heartbeat came back.
  await waitFor(
    async () => {
      const m = await scrape(cluster.node(0).metricsPort);
      return (
        m.value('meshpush_mesh_peers') === 2 &&
        m.samples.filter((s) => s.name === 'meshpush_mesh_peer_rtt_seconds').length === 2
      );
    },
    { message: 'mesh_peers 2 with RTTs' },
  );

  // One client per node, all subscribing to the same new channel at once.
  const clients = cluster.nodes.map((node, i) => authorizedClient(t, node, { id: `u${i}` }));
  await Promise.all(clients.map((client) => subscribed(client, 'presence-race')));
  await receiver.waitFor((events) => events.length >= 4, 'occupied + three member_added');
  // Two more members on the node that will be killed.
  const doomed = cluster.node(2);
  await Promise.all(['k1', 'k2'].map((id) => subscribed(authorizedClient(t, doomed, { id }), 'presence-race')));
  await receiver.waitFor((events) => events.length >= 6, 'five member_added');
  await quietPeriod();
  const sentByNodes = await Promise.all(
    cluster.nodes.map(
      async (node) => (await scrape(node.metricsPort)).value('meshpush_webhook_requests_sent_total') ?? 0,
    ),
  );
  t.is(
    sentByNodes.reduce((a, b) => a + b, 0),
    receiver.received.length,
    'the nodes together sent each request once',
  );
  t.deepEqual(summary(receiver.delivered()).sort(), [
    'channel_occupied:presence-race',
    'member_added:presence-race:k1',
    'member_added:presence-race:k2',
    'member_added:presence-race:u0',
    'member_added:presence-race:u1',
    'member_added:presence-race:u2',
  ]);

  const before = receiver.delivered().length;
  const killedAt = Date.now();
  await doomed.kill();
  await receiver.waitFor(
    (events) => events.length >= before + 3,
    'member_removed for k1, k2 and u2',
    TEST_CLUSTER_TIMING.nodeTimeoutMs + 8000,
  );
  // SIGKILL closes the node's routes at once (a silent node would take the node timeout); then the delay.
  t.true(Date.now() - killedAt >= LEAVE_DELAY_MS, 'member_removed waited for the leave delay');
  await quietPeriod();
  t.deepEqual(summary(receiver.delivered().slice(before)).sort(), [
    'member_removed:presence-race:k1',
    'member_removed:presence-race:k2',
    'member_removed:presence-race:u2',
  ]);
  t.true(receiver.received.every((r) => r.valid));
});
