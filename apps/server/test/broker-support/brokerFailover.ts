import type { ExecutionContext, TestFn } from 'ava';
import {
  clusterStatus,
  startCluster,
  TEST_CLUSTER_TIMING,
  waitForMesh,
  type TestCluster,
} from '../cluster-support/cluster.js';
import {
  authorizedClient,
  nextEvent,
  pusherSdk,
  scrape,
  startReceiver,
  subscribed,
  summary,
  waitFor,
} from '@meshpush/test-support';
import { METRICS_ENV } from '../metrics-support.js';
import { Publisher, runLoad } from '../ratelimit-load.js';
import { runCli, type RunningServer } from '../support/server.js';
import { webhookEnv } from '../webhooks-support.js';
import { BrokerProcess, brokerEnv, type BrokerKind } from './brokers.js';

const { nodeTimeoutMs, checkIntervalMs } = TEST_CLUSTER_TIMING;
/** Event-loop and pusher-js delivery slack on a loaded 2-core machine, on top of the protocol's deadline. */
const SCHEDULING_SLACK_MS = 1500;

interface BrokerStatus {
  unavailableReason?: string;
  transport?: {
    transport?: string;
    broker?: { state: string; reason?: string; disconnects: number };
    peers: Array<{ nodeId: string; lastHeardAgoMs?: number }>;
  };
}

async function brokerCluster(
  t: ExecutionContext,
  kind: BrokerKind,
  env: Record<string, string> = {},
): Promise<{ broker: BrokerProcess; cluster: TestCluster }> {
  const broker = await BrokerProcess.start(kind);
  t.teardown(() => broker.kill());
  const cluster = await startCluster(t, { driver: kind, nodes: 3, env: brokerEnv(broker, env) });
  return { broker, cluster };
}

async function userCount(node: RunningServer, channel: string): Promise<number> {
  const info = await (
    await pusherSdk(node).get({ path: `/channels/${channel}`, params: { info: 'user_count' } })
  ).json();
  return info.user_count ?? 0;
}

async function readyStatus(node: RunningServer): Promise<{ status: number; text: string }> {
  const response = await fetch(`${node.httpBase}/ready`);
  return { status: response.status, text: await response.text() };
}

/** Keeps triggering numbered events through every node in turn until stopped; failures are expected while the broker is down. */
function backgroundTraffic(cluster: TestCluster, channel: string): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      await pusherSdk(cluster.node(i))
        .trigger(channel, 'background', { i })
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** The failure behaviour of a broker transport, run against real broker and server processes. */
export function brokerFailover(test: TestFn, kind: BrokerKind): void {
  test.serial(
    `${kind}: /cluster and metrics show the transport, the broker connection and heartbeat ages`,
    async (t) => {
      const { cluster } = await brokerCluster(t, kind, { ...METRICS_ENV });
      const status = (await clusterStatus(cluster.node(0))) as unknown as BrokerStatus & { driver: string };
      t.is(status.driver, kind);
      t.is(status.transport?.transport, kind);
      t.is(status.transport?.broker?.state, 'connected');
      t.is(status.transport?.peers.length, 2);
      for (const peer of status.transport?.peers ?? [])
        t.true((peer.lastHeardAgoMs ?? Infinity) <= nodeTimeoutMs, 'a recent heartbeat');
      t.deepEqual(await readyStatus(cluster.node(0)), { status: 200, text: 'OK' });

      const metrics = await scrape(cluster.node(0).metricsPort);
      t.is(metrics.value('meshpush_broker_connected', { transport: kind }), 1);
      t.is(metrics.value('meshpush_broker_disconnects_total', { transport: kind }), 0);
      t.is(metrics.value('meshpush_mesh_peers'), 2);
      const peerIds = (status.transport?.peers ?? []).map((p) => p.nodeId);
      for (const peer of peerIds) {
        const age = metrics.value('meshpush_mesh_peer_heartbeat_age_seconds', { peer });
        t.true(age !== undefined && age >= 0 && age <= nodeTimeoutMs / 1000, `heartbeat age of ${peer}: ${age}`);
      }
    },
  );

  test.serial(
    `${kind}: SIGKILL: survivors drop the dead node's members within node timeout + one interval`,
    async (t) => {
      const { cluster } = await brokerCluster(t, kind);
      const [a, b, c] = cluster.nodes as [RunningServer, RunningServer, RunningServer];
      const watcher = authorizedClient(t, a, { id: 'watcher' });
      const { channel: watched } = await subscribed(watcher, 'presence-broker-kill');
      const doomed = authorizedClient(t, c, { id: 'doomed' });
      await subscribed(doomed, 'presence-broker-kill');
      await waitFor(() => watched.members.count === 2, { message: 'watcher sees doomed' });
      const removed: string[] = [];
      watched.bind('pusher:member_removed', (m: { id: string }) => removed.push(m.id));

      const killedAt = Date.now();
      await c.kill();
      await waitFor(() => removed.length > 0, {
        timeoutMs: nodeTimeoutMs + checkIntervalMs + SCHEDULING_SLACK_MS + 2000,
        message: 'member_removed',
      });
      const detectedMs = Date.now() - killedAt;
      t.deepEqual(removed, ['doomed']);
      t.true(
        detectedMs <= nodeTimeoutMs + checkIntervalMs + SCHEDULING_SLACK_MS,
        `member_removed after ${detectedMs} ms`,
      );
      t.log(
        `member_removed ${detectedMs} ms after SIGKILL (node timeout ${nodeTimeoutMs} ms, interval ${checkIntervalMs} ms)`,
      );
      // Each survivor times the dead node out on its own clock: b within the same bound.
      await waitFor(async () => (await userCount(b, 'presence-broker-kill')) === 1, {
        timeoutMs: Math.max(0, nodeTimeoutMs + checkIntervalMs + SCHEDULING_SLACK_MS - (Date.now() - killedAt)) + 100,
        message: 'user_count 1 on b',
      });
      // Exactly once: a marker through every node arrives after any duplicate would have.
      const marker = nextEvent(watched, 'marker');
      await pusherSdk(b).trigger('presence-broker-kill', 'marker', {});
      await marker;
      t.deepEqual(removed, ['doomed']);
    },
  );

  test.serial(`${kind}: SIGTERM: peers drop the node at once (BYE), not after the timeout`, async (t) => {
    const { cluster } = await brokerCluster(t, kind, { CLUSTER_NODE_TIMEOUT: '20000' });
    const [a, , c] = cluster.nodes as [RunningServer, RunningServer, RunningServer];
    const watcher = authorizedClient(t, a, { id: 'watcher' });
    const { channel: watched } = await subscribed(watcher, 'presence-broker-leave');
    await subscribed(authorizedClient(t, c, { id: 'leaver' }), 'presence-broker-leave');
    await waitFor(() => watched.members.count === 2, { message: 'watcher sees leaver' });
    const removed = nextEvent(watched, 'pusher:member_removed', 5000);
    const stoppedAt = Date.now();
    t.is((await c.stop('SIGTERM')).code, 0);
    t.is((await removed).id, 'leaver');
    t.true(Date.now() - stoppedAt < 5000);
  });

  test.serial(
    `${kind}: broker restart under traffic: every node reconnects, state converges, no message after the reconnect is lost`,
    async (t) => {
      const { broker, cluster } = await brokerCluster(t, kind, { ...METRICS_ENV });
      const members = cluster.nodes.flatMap((node, n) =>
        [0, 1].map((i) => authorizedClient(t, node, { id: `m-${n}-${i}` })),
      );
      const channels = await Promise.all(
        members.map(async (client) => (await subscribed(client, 'presence-broker-restart')).channel),
      );
      await waitFor(() => channels.every((ch) => ch.members.count === 6), { message: 'six members everywhere' });
      const stopTraffic = backgroundTraffic(cluster, 'presence-broker-restart');

      await broker.kill();
      for (const node of cluster.nodes) {
        await waitFor(async () => (await readyStatus(node)).status === 503, {
          timeoutMs: 10_000,
          message: `/ready 503 on port ${node.port}`,
        });
        const ready = await readyStatus(node);
        t.regex(ready.text, new RegExp(`${kind} connection to .* lost`));
        const status = (await clusterStatus(node)) as unknown as BrokerStatus;
        t.is(status.transport?.broker?.state, 'disconnected');
        t.truthy(status.unavailableReason);
        t.is((await scrape(node.metricsPort)).value('meshpush_broker_connected', { transport: kind }), 0);
      }
      // Local sockets keep being served meanwhile: clients stay connected and get local events.
      t.true(members.every((client) => client.connection.state === 'connected'));
      const localOnly = [0, 1].map((i) => nextEvent(channels[i], 'local-during-outage'));
      await pusherSdk(cluster.node(0)).trigger('presence-broker-restart', 'local-during-outage', { n: 1 });
      t.deepEqual(await Promise.all(localOnly), [{ n: 1 }, { n: 1 }], 'both clients of node 0 got it');

      await broker.restart();
      for (const node of cluster.nodes) {
        await waitFor(async () => (await readyStatus(node)).status === 200, {
          timeoutMs: 20_000,
          message: `/ready 200 on port ${node.port}`,
        });
      }
      await waitForMesh(cluster.nodes, 20_000);
      await stopTraffic();
      for (const node of cluster.nodes) {
        await waitFor(async () => (await userCount(node, 'presence-broker-restart')) === 6, {
          message: `user_count 6 on port ${node.port}`,
        });
      }
      await waitFor(() => channels.every((ch) => ch.members.count === 6), {
        message: 'every client counts six members again',
      });

      const received = channels.map(() => [] as number[]);
      channels.forEach((ch, i) => ch.bind('after', (data: { n: number }) => received[i]!.push(data.n)));
      const COUNT = 30;
      for (let n = 0; n < COUNT; n++)
        await pusherSdk(cluster.node(n)).trigger('presence-broker-restart', 'after', { n });
      const expected = Array.from({ length: COUNT }, (_, n) => n);
      await waitFor(() => received.every((got) => got.length >= COUNT), {
        message: 'every subscriber got every event',
      });
      for (const got of received)
        t.deepEqual(
          [...got].sort((x, y) => x - y),
          expected,
        );
      const status = (await clusterStatus(cluster.node(0))) as unknown as BrokerStatus;
      t.true((status.transport?.broker?.disconnects ?? 0) >= 1, 'the disconnect is counted');
    },
  );

  test.serial(
    `${kind}: a broker outage sends no webhooks: nodes cut off announce no leaves of the peers they drop`,
    async (t) => {
      const LEAVE_DELAY_MS = 300;
      const receiver = await startReceiver(t);
      const hooks = [
        { url: receiver.url(), event_types: ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed'] },
      ];
      const { broker, cluster } = await brokerCluster(
        t,
        kind,
        webhookEnv(hooks, { WEBHOOKS_LEAVE_DELAY_MS: String(LEAVE_DELAY_MS) }),
      );
      const clients = cluster.nodes.map((node, i) => authorizedClient(t, node, { id: `w${i}` }));
      const channels = await Promise.all(
        clients.map(async (client) => (await subscribed(client, 'presence-outage-hooks')).channel),
      );
      await receiver.waitFor((events) => events.length >= 4, 'occupied + three member_added');
      await waitFor(() => channels.every((ch) => ch.members.count === 3), { message: 'three members everywhere' });
      const before = receiver.delivered().length;

      await broker.kill();
      // Every node drops its peers: their members leave its clients' lists (cut off, it cannot know better)...
      await waitFor(() => channels.every((ch) => ch.members.count === 1), {
        timeoutMs: 10_000,
        message: 'each node alone',
      });
      // ...but no node is the cluster's voice meanwhile: after the leave delay, still nothing was sent.
      await new Promise((resolve) => setTimeout(resolve, LEAVE_DELAY_MS + 1000));
      await broker.restart();
      await waitForMesh(cluster.nodes, 20_000);
      await waitFor(() => channels.every((ch) => ch.members.count === 3), { message: 'three members again' });
      await new Promise((resolve) => setTimeout(resolve, LEAVE_DELAY_MS + 1000)); // any late webhook would arrive by now
      t.deepEqual(summary(receiver.delivered().slice(before)), [], 'nobody left or joined the cluster');
    },
  );

  test.serial(
    `${kind}: RATE_LIMITER_DRIVER=${kind === 'redis' ? 'redis' : 'cluster'} keeps one global limit over the ${kind} transport`,
    async (t) => {
      const LIMIT = 50;
      const { cluster } = await brokerCluster(t, kind, {
        RATE_LIMITER_DRIVER: kind === 'redis' ? 'redis' : 'cluster',
        DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SEC: String(LIMIT),
      });
      const load = cluster.nodes.map(
        (node) => new Publisher({ port: node.port, requestsPerSec: 40, channelsPerEvent: 1 }),
      );
      const windowS = 4;
      await runLoad(load, windowS * 1000);
      t.deepEqual(
        load.flatMap((p) => p.unexpected()),
        [],
      );
      const admitted = load.reduce((sum, p) => sum + p.admittedEvents(), 0);
      t.log(`admitted ${admitted} events in ${windowS} s (limit ${LIMIT}/s, offered 120/s over three nodes)`);
      t.true(admitted <= LIMIT * windowS * 1.1 + LIMIT + 3, `over-admitted: ${admitted}`);
      t.true(admitted >= LIMIT * windowS * 0.8, `under-admitted: ${admitted}`);
    },
  );

  test.serial(`${kind}: wrong credentials stop the start with exit code 1 and a clear message`, async (t) => {
    const broker = await BrokerProcess.start(kind, { user: 'meshpush', password: 'right' });
    t.teardown(() => broker.kill());
    const credentials: Record<string, string> =
      kind === 'nats'
        ? { ADAPTER_NATS_USER: 'meshpush', ADAPTER_NATS_PASSWORD: 'wrong' }
        : { DB_REDIS_PASSWORD: 'wrong' };
    const run = await runCli(['start', '--host', '127.0.0.1', '--port', '0'], { env: brokerEnv(broker, credentials) });
    t.is(run.code, 1);
    t.regex(
      run.stderr,
      kind === 'nats'
        ? /meshpush: error: ADAPTER_DRIVER=nats: cannot connect to NATS at 127\.0\.0\.1:\d+: .*ADAPTER_NATS_USER/i
        : /meshpush: error: ADAPTER_DRIVER=redis: cannot connect to Redis at 127\.0\.0\.1:\d+\/0: WRONGPASS.*DB_REDIS_PASSWORD/,
    );
    t.notRegex(run.stdout + run.stderr, /wrong/, 'the password is not echoed');
    t.notRegex(run.stdout, /meshpush ready/);
  });
}
