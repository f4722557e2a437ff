import test, { type ExecutionContext } from 'ava';
import { clusterStatus, startCluster, type TestCluster } from './cluster-support/cluster.js';
import { Publisher, runLoad } from './ratelimit-load.js';
import { waitFor } from '@meshpush/test-support';

// One global budget of 100 backend events/s for the default app, hammered through all three
// nodes unevenly. Each request publishes one event to 5 channels: 5 points (soketi's count),
// so 300 requests/s offer 1,500 events/s without drowning a 2-core machine in HTTP.
const LIMIT = 100;
const CHANNELS = 5;
const SHARES = [0.7, 0.2, 0.1];
const OFFERED_REQUESTS_PER_SEC = 300;
const WINDOW_S = 5;
/** What a cluster may admit at once: the global bucket (one second), plus one request per node. */
const BURST = LIMIT + SHARES.length * CHANNELS;

async function limitedCluster(t: ExecutionContext, driver: 'local' | 'cluster'): Promise<TestCluster> {
  return startCluster(t, {
    nodes: 3,
    env: { RATE_LIMITER_DRIVER: driver, DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SEC: String(LIMIT) },
  });
}

function publishers(cluster: TestCluster): Publisher[] {
  return SHARES.map(
    (share, i) =>
      new Publisher({
        port: cluster.node(i).port,
        requestsPerSec: OFFERED_REQUESTS_PER_SEC * share,
        channelsPerEvent: CHANNELS,
      }),
  );
}

function describe(load: readonly Publisher[], seconds: number): string {
  const perNode = load.map((p) => p.admittedEvents());
  const total = perNode.reduce((a, b) => a + b, 0);
  const refused = load.reduce((sum, p) => sum + p.count(429) * CHANNELS, 0);
  const skipped = load.reduce((sum, p) => sum + p.skipped, 0);
  return `admitted ${total} events in ${seconds} s = ${(total / seconds).toFixed(1)}/s (limit ${LIMIT}/s); per node ${perNode.join('/')}; refused ${refused}; requests skipped ${skipped}`;
}

test.serial('RATE_LIMITER_DRIVER=cluster: 70/20/10 % of the load on three nodes, one global limit', async (t) => {
  const cluster = await limitedCluster(t, 'cluster');
  const load = publishers(cluster);
  await runLoad(load, WINDOW_S * 1000);
  t.log(describe(load, WINDOW_S));
  t.deepEqual(
    load.flatMap((p) => p.unexpected()),
    [],
  );
  const admitted = load.reduce((sum, p) => sum + p.admittedEvents(), 0);
  t.true(admitted <= LIMIT * WINDOW_S * 1.1 + BURST, `over-admitted: ${admitted}`);
  t.true(admitted >= LIMIT * WINDOW_S * 0.9, `under-admitted: ${admitted}`);
});

test.serial('RATE_LIMITER_DRIVER=local: the same setup admits about three times the limit', async (t) => {
  const cluster = await limitedCluster(t, 'local');
  const load = publishers(cluster);
  await runLoad(load, WINDOW_S * 1000);
  t.log(describe(load, WINDOW_S));
  const admitted = load.reduce((sum, p) => sum + p.admittedEvents(), 0);
  t.true(admitted > LIMIT * WINDOW_S * 2.5, `each node should enforce the limit alone: ${admitted}`);
});

test.serial('a node killed mid-run: the survivors free its share and keep the global limit', async (t) => {
  const cluster = await limitedCluster(t, 'cluster');
  const load = publishers(cluster);
  const [busiest, ...survivorLoad] = load;
  for (const publisher of load) publisher.start();
  await new Promise((resolve) => setTimeout(resolve, 2000)); // the load runs a fixed 2 s first
  await busiest?.stop();
  await cluster.node(0).kill();
  const survivors = [cluster.node(1), cluster.node(2)];
  await waitFor(
    async () => (await Promise.all(survivors.map(clusterStatus))).every((s) => s.transport?.peers.length === 1),
    {
      timeoutMs: 10_000,
      message: 'the survivors declare the killed node dead',
    },
  );
  const fromMs = performance.now();
  const seconds = 3;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const toMs = performance.now();
  await Promise.all(survivorLoad.map((p) => p.stop()));
  const admitted = survivorLoad.reduce((sum, p) => sum + p.admittedEvents(fromMs, toMs), 0);
  t.log(
    `after the kill: survivors admitted ${admitted} events in ${seconds} s = ${(admitted / seconds).toFixed(1)}/s (limit ${LIMIT}/s)`,
  );
  t.true(admitted <= LIMIT * seconds * 1.1 + BURST, `over-admitted: ${admitted}`);
  t.true(admitted >= LIMIT * seconds * 0.8, `the dead node's share was not freed: ${admitted}`);
});
