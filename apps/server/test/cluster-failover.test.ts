import test from 'ava';
import { clusterStatus, startCluster, TEST_CLUSTER_TIMING, waitForMesh } from './cluster-support/cluster.js';
import {
  authorizedClient,
  nextEvent,
  pusherClient,
  pusherSdk,
  rawConnect,
  subscribed,
  waitFor,
} from '@meshpush/test-support';
import type { RunningServer } from './support/server.js';

// Each test starts its own 3-process cluster; serial keeps the 2-core machine from being swamped.
const { nodeTimeoutMs, checkIntervalMs } = TEST_CLUSTER_TIMING;
/** Event-loop and pusher-js delivery slack on a loaded CI machine, on top of the protocol's deadline. */
const SCHEDULING_SLACK_MS = 1500;

async function userCount(node: RunningServer, channel: string): Promise<number> {
  const info = await (
    await pusherSdk(node).get({ path: `/channels/${channel}`, params: { info: 'user_count' } })
  ).json();
  return info.user_count ?? 0;
}

async function pubFramesIn(node: RunningServer): Promise<number> {
  const status = await clusterStatus(node);
  const totals = (status.transport as { totals?: { framesInByType?: Record<string, number> } } | undefined)?.totals;
  return totals?.framesInByType?.PUB ?? 0;
}

test.serial('interest routing: a node without subscribers receives no message frames for the channel', async (t) => {
  const cluster = await startCluster(t, { nodes: 3 });
  const [subscriberNode, publisherNode, idleNode] = cluster.nodes as [RunningServer, RunningServer, RunningServer];
  const client = pusherClient(t, subscriberNode);
  const { channel } = await subscribed(client, 'interest-only-here');
  const idleBefore = await pubFramesIn(idleNode);
  const subscriberBefore = await pubFramesIn(subscriberNode);
  let received = 0;
  channel.bind('tick', () => received++);
  const sdk = pusherSdk(publisherNode);
  for (let i = 0; i < 50; i++) await sdk.trigger('interest-only-here', 'tick', { i });
  await waitFor(() => received === 50, { message: '50 events delivered across nodes' });
  t.is((await pubFramesIn(idleNode)) - idleBefore, 0, 'the uninterested node received no PUB frames');
  t.is((await pubFramesIn(subscriberNode)) - subscriberBefore, 50, 'the interested node received one frame per event');
});

test.serial(
  "SIGKILL: survivors drop the dead node's members within node timeout + one interval, and keep delivering",
  async (t) => {
    const cluster = await startCluster(t, { nodes: 3 });
    const [a, b, c] = cluster.nodes as [RunningServer, RunningServer, RunningServer];
    const watcher = authorizedClient(t, a, { id: 'watcher' });
    const { channel: watched } = await subscribed(watcher, 'presence-failover');
    const doomed = authorizedClient(t, c, { id: 'doomed' });
    await subscribed(doomed, 'presence-failover');
    await waitFor(() => watched.members.count === 2, { message: 'watcher sees doomed' });

    const removed = nextEvent(
      watched,
      'pusher:member_removed',
      nodeTimeoutMs + checkIntervalMs + SCHEDULING_SLACK_MS + 2000,
    );
    const killedAt = Date.now();
    await c.kill();
    // Messages published on a survivor while the dead node is being detected still arrive.
    const during = nextEvent(watched, 'during-outage');
    await pusherSdk(b).trigger('presence-failover', 'during-outage', {});
    await during;
    const member = await removed;
    const detectedMs = Date.now() - killedAt;
    t.is(member.id, 'doomed');
    t.true(
      detectedMs <= nodeTimeoutMs + checkIntervalMs + SCHEDULING_SLACK_MS,
      `member_removed after ${detectedMs} ms`,
    );
    t.is(await userCount(a, 'presence-failover'), 1);
    t.is(await userCount(b, 'presence-failover'), 1);

    // A restarted node is a new peer; it joins and sees the current state.
    const restarted = await cluster.addNode();
    const newcomer = authorizedClient(t, restarted, { id: 'newcomer' });
    const { data: members } = await subscribed(newcomer, 'presence-failover');
    t.deepEqual(Object.keys(members.members).sort(), ['newcomer', 'watcher']);
    await waitFor(async () => (await userCount(b, 'presence-failover')) === 2, { message: 'user_count 2 on b' });
  },
);

test.serial(
  'SIGSTOP beyond the node timeout: declared dead; SIGCONT: it rejoins and its members come back',
  async (t) => {
    const cluster = await startCluster(t, { nodes: 3 });
    const [a, , c] = cluster.nodes as [RunningServer, RunningServer, RunningServer];
    const watcher = authorizedClient(t, a, { id: 'watcher' });
    const { channel: watched } = await subscribed(watcher, 'presence-pause');
    const sleeper = authorizedClient(t, c, { id: 'sleeper' });
    await subscribed(sleeper, 'presence-pause');
    await waitFor(() => watched.members.count === 2, { message: 'watcher sees sleeper' });

    const removed = nextEvent(
      watched,
      'pusher:member_removed',
      nodeTimeoutMs + checkIntervalMs + SCHEDULING_SLACK_MS + 2000,
    );
    c.child.kill('SIGSTOP');
    t.teardown(() => c.child.kill('SIGCONT'));
    t.is((await removed).id, 'sleeper');
    t.is(await userCount(a, 'presence-pause'), 1);

    const back = nextEvent(watched, 'pusher:member_added', 10_000);
    c.child.kill('SIGCONT');
    t.is((await back).id, 'sleeper');
    await waitForMesh(cluster.nodes);
    for (const node of cluster.nodes) {
      await waitFor(async () => (await userCount(node, 'presence-pause')) === 2, {
        message: `user_count 2 on port ${node.port}`,
      });
    }
    // Interest resynced too: an event published on a survivor reaches the sleeper's node again.
    const sleeperChannel = sleeper.channel('presence-pause');
    const event = nextEvent(sleeperChannel, 'after-rejoin');
    await pusherSdk(a).trigger('presence-pause', 'after-rejoin', {});
    await event;
    t.pass();
  },
);

test.serial(
  'SIGTERM: the node closes its sockets with 4200 and peers drop its members at once (BYE), not after the timeout',
  async (t) => {
    // A long node timeout, so a prompt drop can only come from the graceful BYE.
    const cluster = await startCluster(t, { nodes: 3, env: { CLUSTER_NODE_TIMEOUT: '20000' } });
    const [a, , c] = cluster.nodes as [RunningServer, RunningServer, RunningServer];
    const watcher = authorizedClient(t, a, { id: 'watcher' });
    const { channel: watched } = await subscribed(watcher, 'presence-leave');
    const leaver = authorizedClient(t, c, { id: 'leaver' });
    await subscribed(leaver, 'presence-leave');
    const raw = await rawConnect(t, c.port);
    await waitFor(() => watched.members.count === 2, { message: 'watcher sees leaver' });

    const removed = nextEvent(watched, 'pusher:member_removed', 5000);
    const stoppedAt = Date.now();
    const exit = await c.stop('SIGTERM');
    t.is(exit.code, 0);
    t.is((await raw.closed).code, 4200);
    t.is((await removed).id, 'leaver');
    t.true(Date.now() - stoppedAt < 5000);
    t.is(await userCount(a, 'presence-leave'), 1);
  },
);
