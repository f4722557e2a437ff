import test from 'ava';
import { ClusterAdapter } from '../src/adapter/cluster/ClusterAdapter.js';
import { createHarness, presenceSubscribe, signin, type Harness } from './support/fakeSockets.js';
import { MemoryNetwork, type MemoryTransport } from '@meshpush/mesh-transport/testing';

interface Node {
  readonly h: Harness;
  readonly transport: MemoryTransport;
}

async function cluster(size: number, appConfig = {}): Promise<{ nodes: Node[]; network: MemoryNetwork }> {
  const network = new MemoryNetwork();
  const nodes: Node[] = [];
  for (let i = 0; i < size; i++) {
    const transport = network.create();
    const h = await createHarness(appConfig, {}, (nowMs) => new ClusterAdapter(transport, { nowMs }));
    nodes.push({ h, transport });
  }
  await network.settle();
  return { nodes, network };
}

const subscribe = (channel: string) => ({ event: 'pusher:subscribe', data: { channel } });

test('an event published on one node reaches subscribers on the others, and no uninterested node', async (t) => {
  const { nodes, network } = await cluster(3);
  const [a, b, c] = nodes as [Node, Node, Node];
  const sub = b.h.connect();
  b.h.send(sub.connection, subscribe('news'));
  await network.settle();
  a.h.publisher.publishEvent(a.h.app, 'news', 'update', '{"n":1}');
  await network.settle();
  t.deepEqual(
    sub.socket.events('update').map((e) => e.data),
    [{ n: 1 }],
  );
  t.deepEqual(c.transport.receivedPublishes, [], 'node C has no subscriber and received nothing');
});

test('subscription_succeeded waits until peers route the new channel here: an event published at that moment arrives', async (t) => {
  const { nodes, network } = await cluster(3);
  const [a, b] = nodes as [Node, Node];
  const sub = b.h.connect();
  b.h.send(sub.connection, subscribe('fresh'));
  t.is(sub.socket.events('pusher_internal:subscription_succeeded').length, 0, 'not before the peers know');
  t.truthy(b.h.adapter.interestSettled?.(b.h.app.id, 'fresh'));
  // The instant the client learns it is subscribed, another node publishes.
  for (let turn = 0; turn < 50 && sub.socket.events('pusher_internal:subscription_succeeded').length === 0; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.is(sub.socket.events('pusher_internal:subscription_succeeded').length, 1);
  a.h.publisher.publishEvent(a.h.app, 'fresh', 'first', '{"n":1}');
  await network.settle();
  t.deepEqual(
    sub.socket.events('first').map((e) => e.data),
    [{ n: 1 }],
  );
  t.is(b.h.adapter.interestSettled?.(b.h.app.id, 'fresh'), undefined, 'settled once every peer answered');

  const second = b.h.connect();
  b.h.send(second.connection, subscribe('fresh'));
  t.is(
    second.socket.events('pusher_internal:subscription_succeeded').length,
    1,
    'a channel already routed here answers at once',
  );
});

test('a node without peers answers subscribe at once', async (t) => {
  const { nodes } = await cluster(1);
  const [a] = nodes as [Node];
  const sub = a.h.connect();
  a.h.send(sub.connection, subscribe('alone'));
  t.is(sub.socket.events('pusher_internal:subscription_succeeded').length, 1);
});

test('socket_id exclusion works for a socket on another node', async (t) => {
  const { nodes, network } = await cluster(2);
  const [a, b] = nodes as [Node, Node];
  const excluded = b.h.connect();
  const other = b.h.connect();
  for (const s of [excluded, other]) b.h.send(s.connection, subscribe('news'));
  await network.settle();
  a.h.publisher.publishEvent(a.h.app, 'news', 'update', 'x', excluded.connection.id);
  await network.settle();
  t.is(excluded.socket.events('update').length, 0);
  t.is(other.socket.events('update').length, 1);
});

test('presence: the member list spans nodes; the same user joining on two nodes at once is added once per client', async (t) => {
  const { nodes, network } = await cluster(3);
  const [a, b, c] = nodes as [Node, Node, Node];
  const watcher = c.h.connect();
  c.h.send(watcher.connection, presenceSubscribe(c.h.app, watcher.connection.id, 'presence-r', { user_id: 'w' }));
  await network.settle();
  const onA = a.h.connect();
  const onB = b.h.connect();
  // Same user, two nodes, same moment: neither node has heard of the other's join yet.
  a.h.send(
    onA.connection,
    presenceSubscribe(a.h.app, onA.connection.id, 'presence-r', { user_id: 'dup', user_info: { n: 1 } }),
  );
  b.h.send(
    onB.connection,
    presenceSubscribe(b.h.app, onB.connection.id, 'presence-r', { user_id: 'dup', user_info: { n: 1 } }),
  );
  await network.settle();
  t.deepEqual(
    watcher.socket.events('pusher_internal:member_added').map((e) => e.data.user_id),
    ['dup'],
  );
  t.deepEqual(
    onA.socket.events('pusher_internal:member_added').map((e) => e.data.user_id),
    [],
  );
  for (const node of nodes) {
    t.deepEqual(
      [...node.h.adapter.presenceMembers('app-id', 'presence-r').keys()].sort(),
      ['dup', 'w'],
      'every node lists the same members',
    );
  }
  onA.socket.close(1000, 'bye');
  await network.settle();
  t.is(watcher.socket.events('pusher_internal:member_removed').length, 0, 'dup is still on node B');
  onB.socket.close(1000, 'bye');
  await network.settle();
  t.deepEqual(
    watcher.socket.events('pusher_internal:member_removed').map((e) => e.data.user_id),
    ['dup'],
  );
});

test("a killed node's members leave and its counts drop on the survivors", async (t) => {
  const { nodes, network } = await cluster(3);
  const [a, b, c] = nodes as [Node, Node, Node];
  const watcher = a.h.connect();
  a.h.send(watcher.connection, presenceSubscribe(a.h.app, watcher.connection.id, 'presence-r', { user_id: 'w' }));
  // Subscribed first, so 'gone' arrives as member_added rather than in the watcher's snapshot.
  await network.settle();
  const doomed = c.h.connect();
  c.h.send(doomed.connection, presenceSubscribe(c.h.app, doomed.connection.id, 'presence-r', { user_id: 'gone' }));
  await network.settle();
  t.deepEqual(
    watcher.socket.events('pusher_internal:member_added').map((e) => e.data.user_id),
    ['gone'],
  );
  const late = b.h.connect();
  b.h.send(late.connection, presenceSubscribe(b.h.app, late.connection.id, 'presence-r', { user_id: 'late' }));
  await network.settle();
  const listed = late.socket.events('pusher_internal:subscription_succeeded')[0]?.data.presence.ids.sort();
  t.deepEqual(listed, ['gone', 'late', 'w'], 'a subscriber on any node sees members of every node');
  network.kill(c.transport);
  await network.settle();
  t.deepEqual(
    watcher.socket.events('pusher_internal:member_removed').map((e) => e.data.user_id),
    ['gone'],
  );
  t.deepEqual(
    late.socket.events('pusher_internal:member_removed').map((e) => e.data.user_id),
    ['gone'],
  );
});

test('a node that joins later gets the existing state by snapshot', async (t) => {
  const { nodes, network } = await cluster(2);
  const [a] = nodes as [Node, Node];
  const member = a.h.connect();
  a.h.send(member.connection, presenceSubscribe(a.h.app, member.connection.id, 'presence-r', { user_id: 'early' }));
  a.h.publisher.publishEvent(a.h.app, 'cache-x', 'last', '"v"');
  await network.settle();
  const transport = network.create();
  const late = await createHarness({}, {}, (nowMs) => new ClusterAdapter(transport, { nowMs }));
  await network.settle();
  const s = late.connect();
  late.send(s.connection, presenceSubscribe(late.app, s.connection.id, 'presence-r', { user_id: 'new' }));
  late.send(s.connection, subscribe('cache-x'));
  await network.settle(); // the answers wait for the peers to route these channels here
  t.deepEqual(s.socket.events('pusher_internal:subscription_succeeded')[0]?.data.presence.ids.sort(), ['early', 'new']);
  t.is(s.socket.events('last')[0]?.data, 'v', 'cache replicated to a late node');
});

test('terminate and server-to-user reach the user on every node; watchlist across nodes', async (t) => {
  const { nodes, network } = await cluster(2);
  const [a, b] = nodes as [Node, Node];
  const watcher = a.h.connect();
  a.h.send(watcher.connection, signin(a.h.app, watcher.connection.id, { id: 'w', watchlist: ['u'] }));
  const user = b.h.connect();
  b.h.send(user.connection, signin(b.h.app, user.connection.id, { id: 'u' }));
  b.h.send(user.connection, subscribe('#server-to-user-u'));
  await network.settle();
  t.deepEqual(watcher.socket.events('pusher_internal:watchlist_events')[0]?.data.events, [
    { name: 'online', user_ids: ['u'] },
  ]);
  a.h.publisher.publishEvent(a.h.app, '#server-to-user-u', 'hello', '{}');
  await network.settle();
  t.is(user.socket.events('hello').length, 1);
  a.h.publisher.terminateUserConnections(a.h.app, 'u');
  await network.settle();
  t.is(user.socket.closedWith?.code, 4009);
  await network.settle();
  t.deepEqual(watcher.socket.events('pusher_internal:watchlist_events')[1]?.data.events, [
    { name: 'offline', user_ids: ['u'] },
  ]);
});

test('client events cross nodes; connection quota counts every node', async (t) => {
  const { nodes, network } = await cluster(2, { enableClientMessages: true, maxConnections: 3 });
  const [a, b] = nodes as [Node, Node];
  const sender = a.h.connect();
  const receiver = b.h.connect();
  a.h.send(sender.connection, presenceSubscribe(a.h.app, sender.connection.id, 'presence-c', { user_id: 's' }));
  b.h.send(receiver.connection, presenceSubscribe(b.h.app, receiver.connection.id, 'presence-c', { user_id: 'r' }));
  await network.settle();
  a.h.send(sender.connection, { event: 'client-ping', channel: 'presence-c', data: { x: 1 } });
  await network.settle();
  const [got] = receiver.socket.events('client-ping');
  t.deepEqual(got?.data, { x: 1 });
  t.is(got?.user_id, 's');
  t.is(b.h.adapter.connectionCount('app-id'), 2, 'connections of both nodes count toward the quota');
  b.h.connect();
  await network.settle();
  t.is(a.h.adapter.connectionCount('app-id'), 3);
});
