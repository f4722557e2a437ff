import test from 'ava';
import { rendezvousWinner } from '../src/webhooks/rendezvous.js';
import { FakeCluster, FakeReceiver, ManualTimers, settle, testApp, webhooksHarness } from './webhooks-support.js';

const LEAVE_DELAY = { leaveDelayMs: 3000 };

test('filters: event types, channel prefix and suffix, per webhook', async (t) => {
  const app = testApp({
    webhooks: [
      { url: 'http://hooks.test/occupancy', event_types: ['channel_occupied'] },
      { url: 'http://hooks.test/beta', filter: { channel_name_starts_with: 'beta-', channel_name_ends_with: '-app' } },
    ],
  });
  const { webhooks, receiver } = webhooksHarness({ app });
  webhooks.channelOccupied('app-id', 'beta-room-app');
  webhooks.channelOccupied('app-id', 'beta-room');
  webhooks.memberAdded('app-id', 'beta-x-app', 'u1');
  await settle();
  const sent = receiver.requests.map((r) => `${r.url} ${receiver.events()[receiver.requests.indexOf(r)]}`);
  t.deepEqual(sent.sort(), [
    'http://hooks.test/beta channel_occupied:beta-room-app',
    'http://hooks.test/beta member_added:beta-x-app:u1',
    'http://hooks.test/occupancy channel_occupied:beta-room',
    'http://hooks.test/occupancy channel_occupied:beta-room-app',
  ]);
});

test('apps without webhooks cost nothing: no timers, no requests', async (t) => {
  const { webhooks, receiver, timers } = webhooksHarness({ app: testApp({ webhooks: [] }), config: LEAVE_DELAY });
  webhooks.channelOccupied('app-id', 'room');
  webhooks.channelVacated('app-id', 'room');
  webhooks.memberRemoved('app-id', 'presence-room', 'u1');
  await settle();
  t.is(receiver.requests.length, 0);
  t.is(timers.pending, 0);
});

test('channel_vacated waits for the delay; a channel occupied again within it sends neither', async (t) => {
  const { webhooks, receiver, timers } = webhooksHarness({ config: LEAVE_DELAY });
  webhooks.channelOccupied('app-id', 'room');
  webhooks.channelVacated('app-id', 'room');
  await timers.advance(2999);
  t.deepEqual(receiver.events(), ['channel_occupied:room']);
  webhooks.channelOccupied('app-id', 'room');
  await timers.advance(5000);
  t.deepEqual(receiver.events(), ['channel_occupied:room'], 'the flap is invisible to the app');
  webhooks.channelVacated('app-id', 'room');
  await timers.advance(3000);
  t.deepEqual(receiver.events(), ['channel_occupied:room', 'channel_vacated:room']);
  t.is(webhooks.delayedEvents, 0);
});

test('member_removed waits for the delay and is cancelled when the same user comes back', async (t) => {
  const { webhooks, receiver, timers } = webhooksHarness({ config: LEAVE_DELAY });
  webhooks.memberAdded('app-id', 'presence-room', 'u1');
  webhooks.memberAdded('app-id', 'presence-room', 'u2');
  webhooks.memberRemoved('app-id', 'presence-room', 'u1');
  webhooks.memberRemoved('app-id', 'presence-room', 'u2');
  await timers.advance(1000);
  webhooks.memberAdded('app-id', 'presence-room', 'u1');
  await timers.advance(3000);
  t.deepEqual(receiver.events(), [
    'member_added:presence-room:u1',
    'member_added:presence-room:u2',
    'member_removed:presence-room:u2',
  ]);
});

test('with no delay, leaves are sent at once', async (t) => {
  const { webhooks, receiver } = webhooksHarness({ config: { leaveDelayMs: 0 } });
  webhooks.channelVacated('app-id', 'room');
  await settle();
  t.deepEqual(receiver.events(), ['channel_vacated:room']);
});

test('a full leave-delay queue sends at once rather than losing the event', async (t) => {
  const { webhooks, receiver } = webhooksHarness({ config: { leaveDelayMs: 3000, maxQueuedEvents: 1 } });
  webhooks.channelVacated('app-id', 'a');
  webhooks.channelVacated('app-id', 'b');
  await settle();
  t.deepEqual(receiver.events(), ['channel_vacated:b']);
  t.is(webhooks.delayedEvents, 1);
});

/** Three nodes that all hear the same transitions, as the cluster adapter guarantees. */
function threeNodes(config = LEAVE_DELAY) {
  const ids = ['node-a', 'node-b', 'node-c'];
  const timers = new ManualTimers();
  const receiver = new FakeReceiver();
  const nodes = ids.map((id) => webhooksHarness({ cluster: new FakeCluster(id, [...ids]), timers, receiver, config }));
  const everywhere = (fn: (h: (typeof nodes)[number]) => void): void => nodes.forEach(fn);
  return { ids, nodes, timers, receiver, everywhere };
}

test('in a cluster, the rendezvous winner alone sends each transition', async (t) => {
  const { ids, receiver, everywhere, timers } = threeNodes();
  const channels = Array.from({ length: 30 }, (_, i) => `room-${i}`);
  for (const channel of channels) everywhere((h) => h.webhooks.channelOccupied('app-id', channel));
  await settle();
  t.is(receiver.requests.length, 30, 'one channel_occupied per channel, not three');
  const senders = new Set(channels.map((channel) => rendezvousWinner(ids, `app-id\u0000${channel}`)));
  t.is(senders.size, 3, 'the work is spread over the nodes');
  for (const channel of channels) everywhere((h) => h.webhooks.channelVacated('app-id', channel));
  await timers.advance(3000);
  t.is(receiver.requests.length, 60);
});

test('when the chosen sender dies during the delay, a survivor sends the leave', async (t) => {
  const { ids, nodes, receiver, everywhere, timers } = threeNodes();
  const winner = rendezvousWinner(ids, 'app-id\u0000presence-room');
  everywhere((h) => h.webhooks.memberRemoved('app-id', 'presence-room', 'u1'));
  await timers.advance(1000);
  const survivors = nodes.filter((h) => h.cluster.nodeId !== winner);
  for (const h of survivors) h.cluster.nodes = ids.filter((id) => id !== winner);
  await timers.advance(2000);
  // The dead node's own timer still fires in this simulation; only the survivors matter.
  const sentBySurvivors = survivors.reduce((n, h) => n + h.observer.delivered_, 0);
  t.is(sentBySurvivors, 1);
  t.true(receiver.events().includes('member_removed:presence-room:u1'));
});

test("a peer's snapshot announces nothing, but cancels leaves that were pending", async (t) => {
  const { webhooks, receiver, timers, cluster } = webhooksHarness({ config: LEAVE_DELAY });
  cluster.peerChange = { kind: 'snapshot', peer: 'peer-1' };
  webhooks.channelOccupied('app-id', 'old-room');
  webhooks.memberAdded('app-id', 'presence-old', 'u9');
  webhooks.subscriptionCountChanged('app-id', 'old-room', 3);
  cluster.peerChange = undefined;
  webhooks.memberRemoved('app-id', 'presence-room', 'u1');
  cluster.peerChange = { kind: 'snapshot', peer: 'peer-1' };
  webhooks.memberAdded('app-id', 'presence-room', 'u1');
  cluster.peerChange = undefined;
  await timers.advance(5000);
  t.deepEqual(receiver.events(), []);
});

test('handOver: alone, pending leaves are sent now; with peers, they are left to the peers', async (t) => {
  const alone = webhooksHarness({ config: LEAVE_DELAY });
  alone.webhooks.channelVacated('app-id', 'room');
  alone.webhooks.handOver();
  await settle();
  t.deepEqual(alone.receiver.events(), ['channel_vacated:room']);

  const clustered = webhooksHarness({ config: LEAVE_DELAY, cluster: new FakeCluster('a', ['a', 'b']) });
  clustered.webhooks.channelVacated('app-id', 'room');
  clustered.webhooks.handOver();
  clustered.webhooks.memberRemoved('app-id', 'presence-room', 'u1');
  await clustered.timers.advance(5000);
  t.deepEqual(clustered.receiver.events(), []);
  t.is(clustered.timers.pending, 0);
});

test('subscription_count: only for apps that enable it, never for presence, one per burst', async (t) => {
  const app = testApp({ enableSubscriptionCount: true });
  const { webhooks, receiver } = webhooksHarness({ app });
  for (let count = 1; count <= 5; count++) webhooks.subscriptionCountChanged('app-id', 'room', count);
  webhooks.subscriptionCountChanged('app-id', 'presence-room', 2);
  await settle();
  t.deepEqual(
    receiver.bodies().flatMap((b) => b.events),
    [{ name: 'subscription_count', channel: 'room', subscription_count: 5 }],
  );

  const off = webhooksHarness();
  off.webhooks.subscriptionCountChanged('app-id', 'room', 1);
  await settle();
  t.is(off.receiver.requests.length, 0);
});

test('client_event carries data as a string and user_id on presence; cache_miss its channel', async (t) => {
  const { webhooks, receiver, app } = webhooksHarness();
  webhooks.clientEvent(app, 'private-chat', 'client-typing', { who: 'u1' }, '1.2');
  webhooks.clientEvent(app, 'presence-room', 'client-wave', 'hi', '1.3', 'u7');
  webhooks.cacheMiss(app, 'cache-news');
  await settle();
  t.deepEqual(
    receiver.bodies().flatMap((b) => b.events),
    [
      { name: 'client_event', channel: 'private-chat', event: 'client-typing', data: '{"who":"u1"}', socket_id: '1.2' },
      {
        name: 'client_event',
        channel: 'presence-room',
        event: 'client-wave',
        data: 'hi',
        socket_id: '1.3',
        user_id: 'u7',
      },
      { name: 'cache_miss', channel: 'cache-news' },
    ],
  );
});

test('rendezvous: deterministic, spread out, and only a leaving node moves its keys', (t) => {
  const nodes = ['n1', 'n2', 'n3', 'n4'];
  const keys = Array.from({ length: 4000 }, (_, i) => `app\u0000channel-${i}`);
  const owners = keys.map((key) => rendezvousWinner(nodes, key));
  const perNode = nodes.map((node) => owners.filter((owner) => owner === node).length);
  for (const count of perNode) t.true(count > 800 && count < 1200, `uneven spread: ${perNode.join(', ')}`);
  t.deepEqual(
    keys.map((key) => rendezvousWinner([...nodes].reverse(), key)),
    owners,
    'order of candidates does not matter',
  );
  const without = ['n1', 'n2', 'n4'];
  keys.forEach((key, i) => {
    if (owners[i] !== 'n3') t.is(rendezvousWinner(without, key), owners[i]);
  });
  t.is(rendezvousWinner([], 'x'), undefined);
});
