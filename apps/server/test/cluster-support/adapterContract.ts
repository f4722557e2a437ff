import type { TestFn } from 'ava';
import { authorizedClient, nextEvent, subscribed } from '../protocol-support/pusherHelpers.js';
import { pusherClient, pusherSdk, waitFor } from '../support/server.js';
import { startCluster, type ClusterOptions, type TestCluster } from './cluster.js';
import { interleavedRawJoinsAndLeaves, simultaneousPusherJsJoins, simultaneousRawJoins } from './presenceOrdering.js';

/**
 * The behaviour every adapter must have, written against a cluster of `meshpush` processes:
 * with the local adapter the "cluster" is one process, with a cluster driver clients and
 * publishers are spread over several. The same assertions must hold for both.
 */
export function adapterContract(test: TestFn, options: ClusterOptions): void {
  const teardowns: Array<() => unknown> = [];
  let cluster: TestCluster;
  test.before(async () => {
    cluster = await startCluster(
      { teardown: (fn) => teardowns.push(fn) },
      {
        ...options,
        env: { DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true', ...options.env },
      },
    );
  });
  test.after.always(async () => {
    for (const teardown of teardowns.reverse()) await teardown();
  });

  test('an event published through any node reaches subscribers on every node, except the excluded socket', async (t) => {
    const clients = Array.from({ length: 6 }, (_, i) => pusherClient(t, cluster.node(i)));
    const channels = await Promise.all(clients.map(async (c) => (await subscribed(c, 'contract-fanout')).channel));
    const received = channels.map((ch) => nextEvent(ch, 'news'));
    await pusherSdk(cluster.node(1)).trigger('contract-fanout', 'news', { n: 1 });
    t.deepEqual(
      await Promise.all(received),
      channels.map(() => ({ n: 1 })),
    );

    let excludedGot = 0;
    channels[0].bind('quiet', () => excludedGot++);
    const others = channels.slice(1).map((ch) => nextEvent(ch, 'quiet'));
    await pusherSdk(cluster.node(1)).trigger(
      'contract-fanout',
      'quiet',
      {},
      { socket_id: clients[0]!.connection.socket_id },
    );
    await Promise.all(others);
    const after = nextEvent(channels[0], 'after');
    await pusherSdk(cluster.node(1)).trigger('contract-fanout', 'after', {});
    await after;
    t.is(excludedGot, 0, 'the excluded socket got nothing');
  });

  test('an event triggered on another node right after subscription_succeeded is delivered (20 fresh channels)', async (t) => {
    const nodes = cluster.nodes.length;
    const rounds = Array.from({ length: 20 }, async (_, i) => {
      const client = pusherClient(t, cluster.node(i % nodes));
      const { channel } = await subscribed(client, `contract-fresh-${i}`);
      const received = nextEvent(channel, 'first');
      // Through the next node: the subscriber's node learned of the channel a moment ago.
      await pusherSdk(cluster.node((i + 1) % nodes)).trigger(`contract-fresh-${i}`, 'first', { i });
      return received;
    });
    t.deepEqual(
      await Promise.all(rounds),
      Array.from({ length: 20 }, (_, i) => ({ i })),
    );
  });

  test('presence converges: 60 clients joining in concurrent batches of 20 all count 60, on every node', async (t) => {
    const clients: any[] = [];
    const channels: any[] = [];
    for (let batch = 0; batch < 3; batch++) {
      const joined = await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const index = batch * 20 + i;
          const client = authorizedClient(t, cluster.node(index), { id: `member-${index}` });
          clients.push(client);
          return subscribed(client, 'presence-contract-60');
        }),
      );
      channels.push(...joined.map((j) => j.channel));
    }
    await waitFor(() => channels.every((ch) => ch.members.count === 60), {
      timeoutMs: 5000,
      message: 'every client counts 60 members',
    });
    for (const node of cluster.nodes) {
      const info = await (
        await pusherSdk(node).get({ path: '/channels/presence-contract-60', params: { info: 'user_count' } })
      ).json();
      t.is(info.user_count, 60, `user_count on node port ${node.port}`);
    }
    for (const client of clients.slice(0, 30)) client.disconnect();
    const remaining = channels.slice(30);
    await waitFor(() => remaining.every((ch) => ch.members.count === 30), {
      timeoutMs: 5000,
      message: 'every remaining client counts 30',
    });
    for (const node of cluster.nodes) {
      const users = await (await pusherSdk(node).get({ path: '/channels/presence-contract-60/users' })).json();
      t.is(users.users.length, 30);
    }
  });

  test("presence order: 3 raw sockets over the nodes join at once, 20 rounds: nothing before each one's subscription_succeeded, then every member exactly once", async (t) => {
    for (let round = 0; round < 20; round++) await simultaneousRawJoins(t, cluster, round);
  });

  test('presence order with joins and leaves interleaved, 20 rounds', async (t) => {
    for (let round = 0; round < 20; round++) await interleavedRawJoinsAndLeaves(t, cluster, round);
  });

  test('presence order with pusher-js: 3 clients over the nodes join at once, 10 rounds', async (t) => {
    for (let round = 0; round < 10; round++) await simultaneousPusherJsJoins(t, cluster, round);
  });

  test('the same user joining through two nodes at once is one member_added and, when both leave, one member_removed', async (t) => {
    const watcher = authorizedClient(t, cluster.node(2), { id: 'watcher' });
    const { channel: watched } = await subscribed(watcher, 'presence-contract-dup');
    const added: string[] = [];
    const removed: string[] = [];
    watched.bind('pusher:member_added', (m: any) => added.push(m.id));
    watched.bind('pusher:member_removed', (m: any) => removed.push(m.id));
    const twins = [
      authorizedClient(t, cluster.node(0), { id: 'dup' }),
      authorizedClient(t, cluster.node(1), { id: 'dup' }),
    ];
    await Promise.all(twins.map((c) => subscribed(c, 'presence-contract-dup')));
    await markerThroughEveryNode(cluster, watched, 'presence-contract-dup');
    t.deepEqual(added, ['dup']);
    for (const twin of twins) twin.disconnect();
    await waitFor(() => removed.length > 0, { timeoutMs: 5000, message: 'member_removed for dup' });
    await markerThroughEveryNode(cluster, watched, 'presence-contract-dup');
    t.deepEqual(removed, ['dup']);
  });

  test('client events cross nodes with user_id and are not echoed', async (t) => {
    const ann = authorizedClient(t, cluster.node(0), { id: 'ann' });
    const bob = authorizedClient(t, cluster.node(1), { id: 'bob' });
    const [{ channel: annCh }, { channel: bobCh }] = await Promise.all([
      subscribed(ann, 'presence-contract-chat'),
      subscribed(bob, 'presence-contract-chat'),
    ]);
    await waitFor(() => annCh.members.count === 2 && bobCh.members.count === 2, { message: 'both members seen' });
    let echoed = 0;
    annCh.bind('client-typing', () => echoed++);
    const got = new Promise<any>((resolve) =>
      bobCh.bind('client-typing', (data: any, meta: any) => resolve({ data, meta })),
    );
    annCh.trigger('client-typing', { typing: true });
    const { data, meta } = await got;
    t.deepEqual(data, { typing: true });
    t.is(meta?.user_id, 'ann');
    const reply = nextEvent(annCh, 'client-reply');
    bobCh.trigger('client-reply', {});
    await reply;
    t.is(echoed, 0);
  });

  test('REST channel lists and subscription counts are cluster-wide on every node', async (t) => {
    const clients = Array.from({ length: 4 }, (_, i) => pusherClient(t, cluster.node(i)));
    await Promise.all(clients.map((c) => subscribed(c, 'contract-counted')));
    for (const node of cluster.nodes) {
      await waitFor(
        async () => {
          const info = await (
            await pusherSdk(node).get({ path: '/channels/contract-counted', params: { info: 'subscription_count' } })
          ).json();
          return info.occupied === true && info.subscription_count === 4;
        },
        { message: `subscription_count 4 on port ${node.port}` },
      );
      const list = await (
        await pusherSdk(node).get({ path: '/channels', params: { filter_by_prefix: 'contract-counted' } })
      ).json();
      t.deepEqual(Object.keys(list.channels), ['contract-counted']);
    }
  });

  test('sendToUser and terminate_connections reach the user through any node', async (t) => {
    const user = authorizedClient(t, cluster.node(0), { id: 'contract-user' });
    user.signin();
    await user.user.signinDonePromise;
    await waitFor(() => user.user.serverToUserChannel?.subscribed === true, { message: 'server-to-user subscribed' });
    const hello = nextEvent(user.user, 'hello');
    await pusherSdk(cluster.node(1)).sendToUser('contract-user', 'hello', { n: 1 });
    t.deepEqual(await hello, { n: 1 });
    const gone = new Promise((resolve) =>
      user.connection.bind('state_change', (s: any) => {
        if (s.current !== 'connected') resolve(s.current);
      }),
    );
    await pusherSdk(cluster.node(2)).terminateUserConnections('contract-user');
    await gone;
    t.not(user.connection.state, 'connected');
  });

  test('a cache channel replays the last event published through any node', async (t) => {
    await pusherSdk(cluster.node(0)).trigger('cache-contract', 'price', { v: 7 });
    const client = pusherClient(t, cluster.node(2));
    const channel = client.subscribe('cache-contract');
    t.deepEqual(await nextEvent(channel, 'price'), { v: 7 });
  });

  test('watchlist online/offline events follow a user signing in and leaving on another node', async (t) => {
    const watcher = authorizedClient(t, cluster.node(0), { id: 'contract-watcher', watchlist: ['contract-friend'] });
    const events: string[] = [];
    watcher.user.watchlist.bind('online', (e: any) => events.push(`online:${e.user_ids.join()}`));
    watcher.user.watchlist.bind('offline', (e: any) => events.push(`offline:${e.user_ids.join()}`));
    watcher.signin();
    await watcher.user.signinDonePromise;
    const friend = authorizedClient(t, cluster.node(1), { id: 'contract-friend' });
    friend.signin();
    await waitFor(() => events.includes('online:contract-friend'), { message: 'online event' });
    friend.disconnect();
    await waitFor(() => events.includes('offline:contract-friend'), { message: 'offline event' });
    t.deepEqual(events, ['online:contract-friend', 'offline:contract-friend']);
  });
}

/**
 * Publishes a marker through every node and waits for `channel` to receive all of them. A node
 * sends its state changes before its later messages on the same route, so once the markers are
 * in, every transition those nodes had made has reached this client.
 */
async function markerThroughEveryNode(cluster: TestCluster, channel: any, channelName: string): Promise<void> {
  const markers = cluster.nodes.map((_, i) => nextEvent(channel, `marker-${i}`));
  await Promise.all(cluster.nodes.map((node, i) => pusherSdk(node).trigger(channelName, `marker-${i}`, {})));
  await Promise.all(markers);
}
