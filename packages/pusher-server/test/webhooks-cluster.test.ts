import test from 'ava';
import { ClusterAdapter } from '../src/adapter/cluster/ClusterAdapter.js';
import { defaultServerConfig } from '../src/config/ServerConfig.js';
import type { Connection } from '../src/protocol/Connection.js';
import { ReconnectImmediately } from '../src/protocol/CloseCodes.js';
import type { PusherProtocol } from '../src/protocol/PusherProtocol.js';
import { createProtocolCore } from '../src/publish/createProtocolCore.js';
import { silentLogger } from '../src/util/Logger.js';
import { FakeHub, FakeSocket, presenceSubscribe } from './support/fakeSockets.js';
import { MemoryNetwork, type MemoryTransport } from '@meshpush/mesh-transport/testing';
import { FakeReceiver, ManualTimers, testApp, webhooksHarness, type WebhooksHarness } from './webhooks-support.js';

/** Cluster nodes in one process, over the in-memory transport, sharing one webhook receiver and clock. */
class TestCluster {
  readonly network = new MemoryNetwork();
  readonly timers = new ManualTimers();
  readonly receiver = new FakeReceiver();
  readonly app = testApp();
  readonly nodes: Array<{
    transport: MemoryTransport;
    adapter: ClusterAdapter;
    protocol: PusherProtocol;
    hooks: WebhooksHarness<ClusterAdapter>;
    hub: FakeHub;
  }> = [];

  async add(): Promise<TestCluster['nodes'][number]> {
    const transport = this.network.create();
    const adapter = new ClusterAdapter(transport);
    const hooks = webhooksHarness({
      app: this.app,
      cluster: adapter,
      timers: this.timers,
      receiver: this.receiver,
      config: { leaveDelayMs: 3000 },
    });
    const hub = new FakeHub();
    const { protocol, fanout } = createProtocolCore({
      adapter,
      config: defaultServerConfig(),
      logger: silentLogger,
      nowMs: () => this.timers.now,
      webhooks: hooks.webhooks,
      publishToTopic: (topic, frame) => hub.publish(topic, frame),
    });
    await adapter.start(protocol, fanout);
    const node = { transport, adapter, protocol, hooks, hub };
    this.nodes.push(node);
    await this.network.settle();
    return node;
  }

  /** A presence member `userId` on node `index`. */
  join(index: number, userId: string, channel = 'presence-room'): Connection {
    const node = this.nodes[index]!;
    const socket = new FakeSocket(node.hub);
    const connection = node.protocol.open(socket, this.app);
    socket.onClose = () => node.protocol.closed(connection);
    node.protocol.message(
      connection,
      JSON.stringify(presenceSubscribe(this.app, connection.id, channel, { user_id: userId })),
    );
    return connection;
  }

  events(): string[] {
    return this.receiver.events().sort();
  }
}

async function cluster(size: number): Promise<TestCluster> {
  const c = new TestCluster();
  for (let i = 0; i < size; i++) await c.add();
  return c;
}

test('first subscribers on three nodes at once: one channel_occupied, one member_added per user', async (t) => {
  const c = await cluster(3);
  c.join(0, 'u0');
  c.join(1, 'u1');
  c.join(2, 'u2');
  await c.network.settle();
  await c.timers.advance(0);
  t.deepEqual(c.events(), [
    'channel_occupied:presence-room',
    'member_added:presence-room:u0',
    'member_added:presence-room:u1',
    'member_added:presence-room:u2',
  ]);
});

test("a dead node's members are removed once each, after the delay, by a survivor", async (t) => {
  const c = await cluster(3);
  c.join(0, 'stays');
  c.join(1, 'gone-1');
  c.join(1, 'gone-2');
  await c.network.settle();
  const before = c.receiver.requests.length;
  c.network.kill(c.nodes[1]!.transport);
  await c.network.settle();
  await c.timers.advance(2999);
  t.is(c.receiver.requests.length, before, 'nothing inside the delay');
  await c.timers.advance(1);
  t.deepEqual(c.receiver.events().slice(before).sort(), [
    'member_removed:presence-room:gone-1',
    'member_removed:presence-room:gone-2',
  ]);
});

test('a node that joins later announces nothing from the snapshots it receives', async (t) => {
  const c = await cluster(2);
  c.join(0, 'u0');
  c.join(1, 'u1');
  await c.network.settle();
  const before = c.receiver.requests.length;
  const late = await c.add();
  await c.network.settle();
  await c.timers.advance(5000);
  t.is(c.receiver.requests.length, before);
  t.deepEqual([...late.adapter.presenceMembers('app-id', 'presence-room').keys()].sort(), ['u0', 'u1']);
});

test('a node leaving gracefully hands its users over: back on another node within the delay, no webhook', async (t) => {
  const c = await cluster(2);
  const [leaving, staying] = c.nodes as [TestCluster['nodes'][number], TestCluster['nodes'][number]];
  c.join(0, 'mover');
  c.join(1, 'stays');
  await c.network.settle();
  const before = c.receiver.requests.length;
  // What PusherServer.stop() does: close sockets, hand over, leave.
  leaving.protocol.closeAll(ReconnectImmediately);
  leaving.hooks.webhooks.handOver();
  await leaving.adapter.close();
  await c.network.settle();
  await c.timers.advance(1000);
  c.join(1, 'mover');
  await c.network.settle();
  await c.timers.advance(5000);
  t.is(c.receiver.requests.length, before);
  t.deepEqual([...staying.adapter.presenceMembers('app-id', 'presence-room').keys()].sort(), ['mover', 'stays']);
  t.deepEqual(staying.adapter.liveNodeIds(), [staying.adapter.nodeId]);
});

/** Cuts the link between two nodes both ways, as a partition (or a paused process) does. */
function cut(a: TestCluster['nodes'][number], b: TestCluster['nodes'][number]): void {
  a.transport.unlink(b.transport.nodeId, 'partition');
  b.transport.unlink(a.transport.nodeId, 'partition');
}

/** Links two nodes again: each sends the other its snapshot. */
function heal(a: TestCluster['nodes'][number], b: TestCluster['nodes'][number]): void {
  a.transport.link(b.transport);
  b.transport.link(a.transport);
}

test('after a heal, what was announced gone because a node departed is announced again, once', async (t) => {
  const c = await cluster(3);
  const [a, b, lost] = c.nodes as [
    TestCluster['nodes'][number],
    TestCluster['nodes'][number],
    TestCluster['nodes'][number],
  ];
  c.join(0, 'stays');
  c.join(2, 'returns');
  c.join(2, 'only-there', 'presence-lost-only');
  await c.network.settle();
  await c.timers.advance(0);
  cut(a, lost);
  cut(b, lost);
  await c.network.settle();
  await c.timers.advance(3000);
  // Each side announces the other gone: the majority the lost node's members and channel, the lost
  // node (alone on its side) the majority's member.
  t.deepEqual(c.events(), [
    'channel_occupied:presence-lost-only',
    'channel_occupied:presence-room',
    'channel_vacated:presence-lost-only',
    'member_added:presence-lost-only:only-there',
    'member_added:presence-room:returns',
    'member_added:presence-room:stays',
    'member_removed:presence-lost-only:only-there',
    'member_removed:presence-room:returns',
    'member_removed:presence-room:stays',
  ]);
  const before = c.receiver.requests.length;
  heal(a, lost);
  heal(b, lost);
  await c.network.settle();
  await c.timers.advance(5000);
  // Everything announced gone is announced back, once, by the node that announced it gone.
  t.deepEqual(c.receiver.events().slice(before).sort(), [
    'channel_occupied:presence-lost-only',
    'member_added:presence-lost-only:only-there',
    'member_added:presence-room:returns',
    'member_added:presence-room:stays',
  ]);
});

test('a return announces back only what it brings, once per departure', async (t) => {
  const c = await cluster(2);
  const [a, lost] = c.nodes as [TestCluster['nodes'][number], TestCluster['nodes'][number]];
  const quitter = c.join(1, 'quits');
  c.join(1, 'returns');
  await c.network.settle();
  const partitionAndHeal = async (during: () => void): Promise<string[]> => {
    cut(a, lost);
    await c.network.settle();
    await c.timers.advance(3000);
    during();
    await c.network.settle();
    await c.timers.advance(3000);
    const before = c.receiver.requests.length;
    heal(a, lost);
    await c.network.settle();
    await c.timers.advance(5000);
    return c.receiver.events().slice(before);
  };
  // 'quits' leaves the cut-off node meanwhile: announced gone, it stays gone.
  const first = await partitionAndHeal(() => lost.protocol.closed(quitter));
  t.deepEqual(first.sort(), ['channel_occupied:presence-room', 'member_added:presence-room:returns']);
  const second = await partitionAndHeal(() => undefined);
  t.deepEqual(second.sort(), ['channel_occupied:presence-room', 'member_added:presence-room:returns']);
});
