import test from 'ava';
import { ClusterRateLimiter, LocalRateLimiter, RateLimitTopics } from '../src/index.js';
import { fakeClock } from './contract/rateLimiterContract.js';
import { MemoryNetwork } from '@meshpush/mesh-transport/testing';
import { KEY, Simulation } from './support/simulation.js';

const LIMIT = 100;

test('uneven load 70/20/10 on three nodes: one global limit, fully used', async (t) => {
  const sim = new Simulation();
  t.teardown(() => sim.close());
  sim.add(700);
  sim.add(200);
  sim.add(100);
  await sim.network.settle();
  await sim.run(10_000, LIMIT);
  const admitted = sim.admitted();
  t.log(
    `admitted ${admitted} in 10 s (limit ${LIMIT}/s, burst ${LIMIT}); per node ${sim.nodes.map((n) => n.admitted).join('/')}`,
  );
  t.true(admitted <= LIMIT * 10 + LIMIT + 3, `over-admitted: ${admitted}`);
  t.true(admitted >= LIMIT * 10 * 0.95, `under-admitted: ${admitted}`);
});

test('the same load on local limiters admits about three times the limit', (t) => {
  const clock = fakeClock();
  const loads = [700, 200, 100];
  const limiters = loads.map(() => new LocalRateLimiter({ now: clock.now }));
  let admitted = 0;
  for (let ms = 0; ms < 10_000; ms += 5) {
    clock.advance(5);
    loads.forEach((load, i) => {
      for (let e = 0; e < (load * 5) / 1000; e++) if (limiters[i]?.consume(KEY, 1, LIMIT).allowed) admitted++;
    });
  }
  t.true(admitted > LIMIT * 10 * 2.5, `${admitted}`);
});

test('shares never add up to more than 1, also while reports are in flight and loads shift', async (t) => {
  const sim = new Simulation();
  t.teardown(() => sim.close());
  const [a, b, c] = [sim.add(500), sim.add(50), sim.add(0)];
  await sim.network.settle();
  let worst = 0;
  const check = () => (worst = Math.max(worst, sim.shareSum()));
  await sim.run(2000, LIMIT, 5, check);
  a!.loadPerSec = 0;
  b!.loadPerSec = 50;
  c!.loadPerSec = 900;
  await sim.run(3000, LIMIT, 5, check);
  t.true(worst <= 1 + 1e-9, `worst share sum ${worst}`);
  const shares = sim.nodes.map((n) => n.limiter.shares().find((s) => s.key === KEY)?.share ?? 0);
  t.log(`shares after the shift: ${shares.map((s) => s.toFixed(3)).join(' / ')}`);
  t.true((shares[2] ?? 0) > 0.8, 'the busy node took most of the budget');
});

test("a dead node's share is freed: the survivors use the whole limit", async (t) => {
  const sim = new Simulation();
  t.teardown(() => sim.close());
  const [busy] = [sim.add(700), sim.add(200), sim.add(100)];
  await sim.network.settle();
  await sim.run(2000, LIMIT);
  sim.kill(busy!);
  await sim.network.settle();
  sim.resetCounts();
  await sim.run(5000, LIMIT);
  const survivors = sim.admitted(sim.nodes.filter((n) => n.alive));
  t.log(`survivors admitted ${survivors} in 5 s`);
  t.true(survivors <= LIMIT * 5 + LIMIT + 3, `${survivors}`);
  t.true(survivors >= LIMIT * 5 * 0.9, `${survivors}`);
});

test('a joining node hears the current demand at once and takes only its share', async (t) => {
  const sim = new Simulation();
  t.teardown(() => sim.close());
  sim.add(600);
  sim.add(600);
  await sim.network.settle();
  await sim.run(2000, LIMIT);
  const joiner = sim.add(0);
  await sim.network.settle();
  joiner.limiter.consume(KEY, 0, LIMIT);
  const share = joiner.limiter.shares().find((s) => s.key === KEY)?.share ?? 1;
  t.true(share < 0.01, `an idle joiner's share is the idle floor, got ${share}`);
  joiner.loadPerSec = 600;
  sim.resetCounts();
  await sim.run(5000, LIMIT);
  t.true(sim.admitted() <= LIMIT * 5 + LIMIT + 3, `${sim.admitted()}`);
  t.true(joiner.admitted > LIMIT * 5 * 0.2, `the joiner got its share: ${joiner.admitted}`);
});

test('a limiter started on a transport that already has peers asks them for their reports', async (t) => {
  const network = new MemoryNetwork();
  const clock = fakeClock();
  const options = { now: clock.now, syncIntervalMs: 3_600_000 };
  const old = new ClusterRateLimiter(network.join(), options);
  const lateTransport = network.join();
  await network.settle();
  for (let i = 0; i < 50; i++) old.consume(KEY, 1, LIMIT);
  clock.advance(100);
  old.sync();
  await network.settle();
  const late = new ClusterRateLimiter(lateTransport, options);
  t.teardown(async () => {
    await old.close();
    await late.close();
  });
  await network.settle();
  late.consume(KEY, 0, LIMIT);
  const share = late.shares().find((s) => s.key === KEY)?.share ?? 1;
  t.true(share < 0.05, `${share}`);
});

test('malformed reports and foreign topics are ignored; close() leaves the transport open', async (t) => {
  const network = new MemoryNetwork();
  const clock = fakeClock();
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  const transportA = network.join();
  const transportB = network.join();
  const a = new ClusterRateLimiter(transportA, { now: clock.now, syncIntervalMs: 3_600_000, logger });
  const b = new ClusterRateLimiter(transportB, { now: clock.now, syncIntervalMs: 3_600_000 });
  t.teardown(() => a.close());
  await network.settle();
  for (const payload of [null, 'x', [2, []], [1, ['k']], [1, ['k', -1]], [1, [5, 5]], [1, ['k', Infinity]]]) {
    transportA.emit('broadcast', RateLimitTopics.Report, payload, transportB.nodeId);
  }
  transportA.emit('broadcast', 'pusher.delta', [1, 2, 3], transportB.nodeId);
  t.is(warnings.length, 7);
  for (let i = 0; i < 80; i++) b.consume(KEY, 1, LIMIT);
  clock.advance(100);
  b.sync();
  await network.settle();
  a.consume(KEY, 0, LIMIT);
  t.true((a.shares()[0]?.share ?? 1) < 0.05, "b's demand counts");
  await b.close();
  await network.settle();
  t.false(transportB.dead, 'the transport belongs to its owner');
  a.consume(KEY, 0, LIMIT);
  t.is(a.shares()[0]?.share, 0.5, 'b reported nothing on close: it counts as idle');
});
