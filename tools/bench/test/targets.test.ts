import test from 'ava';
import { newRecord } from '../src/record.js';
import { channelNodes } from '../src/scenarios/throughput.js';
import { baselineRatios, checkTargets } from '../src/targets.js';

test('each channel of a 3-node throughput run is held by 2 nodes, and each node lacks a third of them', (t) => {
  t.deepEqual(channelNodes(0, 1), [0]);
  const holders = Array.from({ length: 6 }, (_, c) => channelNodes(c, 3));
  t.deepEqual(holders[0], [1, 2]);
  t.deepEqual(holders[1], [2, 0]);
  for (let node = 0; node < 3; node++) t.is(holders.filter((nodes) => !nodes.includes(node)).length, 2);
});

test('meshpush figures are divided by the same scenario of the baseline', (t) => {
  const base = Object.assign(newRecord('throughput', 'uws-baseline', 1), {
    publishesPerSec: 1000,
    deliveriesPerSec: 4000,
    serverCpuUsPerDelivery: 10,
  });
  const local = Object.assign(newRecord('throughput', 'local', 1), {
    publishesPerSec: 600,
    deliveriesPerSec: 2400,
    serverCpuUsPerDelivery: 20,
  });
  const ratios = baselineRatios(local, [base]);
  t.deepEqual(ratios, { publishesPerSec: 0.6, deliveriesPerSec: 0.6, cpuPerDelivery: 2 });
  local.vsBaseline = ratios;
  const [check] = checkTargets(local, [base]);
  t.is(check?.met, false);
  t.is(baselineRatios(local, []), null);
});

test('a cluster run with a frame beyond interest or a lost delivery misses its targets', (t) => {
  const single = Object.assign(newRecord('fanout', 'local', 1), { latencyP99Ms: 5 });
  const cluster = Object.assign(newRecord('fanout', 'cluster', 3), {
    lost: 1,
    meshPubFramesExpected: 200,
    meshPubFramesActual: 201,
    crossNodeP99Ms: 6,
  });
  const checks = checkTargets(cluster, [single]);
  t.deepEqual(
    checks.map((check) => [check.value, check.met]),
    [
      [1, false],
      [1, false],
      [1, true],
    ],
  );
});
