import assert from 'node:assert/strict';
import type { ExecutionContext } from 'ava';
import { seconds } from '../../../src/report.js';
import { LabCluster, waitFor } from '../support/labCluster.js';
import { recordLoad, type Measured } from '../support/labTest.js';
import {
  describeLoss,
  joinPresence,
  lastLoadFailures,
  presenceIs,
  startLoad,
  stopLoad,
  type Member,
} from '../support/presence.js';
import { HEAL_BOUND_MS } from './isolation.js';

const FLAP_FOR_MS = 20_000;
const FLAP_EVERY_MS = 1000;
/** Resident memory may grow this much over the flapping (allocator noise, JIT), not without bound. */
const RSS_GROWTH_LIMIT_BYTES = 48 * 1024 * 1024;

export const FLAPPING_EXPECTATION = `a–b link toggled every ${FLAP_EVERY_MS / 1000} s for ${FLAP_FOR_MS / 1000} s under load (node timeout 0.8 s: each cut kills the route): no crash, RSS growth < ${RSS_GROWTH_LIMIT_BYTES / 2 ** 20} MB, then one route per peer and the true state < ${HEAL_BOUND_MS / 1000} s`;

const SERVERS = ['a', 'b', 'c'];
const MEMBERS: Member[] = [
  { client: 'pa', host: 'a', user: 'ua' },
  { client: 'pb', host: 'b', user: 'ub' },
  { client: 'pc', host: 'c', user: 'uc' },
];
const EVERYONE = ['ua', 'ub', 'uc'];
const CLIENTS = MEMBERS.map((m) => m.client);
const PEER_UP_LINE = /mesh: peer up/g;
/**
 * A node timeout below the 1 s outages, so that every cut really kills the a–b route and every
 * restore makes a new one (with the lab's 1.5 s, TCP retransmits usually bridge a 1 s outage).
 */
const FLAP_TIMING = { CLUSTER_CHECK_INTERVAL: '200', CLUSTER_NODE_TIMEOUT: '800' };

/** Scenario 4: one link going down and up every second for 20 s, under load. */
export async function flapping(t: ExecutionContext, measured: Measured): Promise<void> {
  const cluster = await LabCluster.start(t, SERVERS, SERVERS, SERVERS, FLAP_TIMING);
  await cluster.waitForFullMesh(SERVERS, 15_000);
  await joinPresence(cluster, MEMBERS);
  await waitFor(() => presenceIs(cluster, CLIENTS, SERVERS, EVERYONE), {
    timeoutMs: 10_000,
    message: 'presence before flapping',
  });
  await startLoad(cluster, SERVERS);
  const rssBefore = await Promise.all(SERVERS.map((name) => cluster.rssBytes(name)));
  const peerUpsBefore = peerUps(cluster);

  const flapStarted = Date.now();
  let toggles = 0;
  const churn: Member[] = [];
  while (Date.now() - flapStarted < FLAP_FOR_MS) {
    const toggleAt = flapStarted + (toggles + 1) * FLAP_EVERY_MS;
    await waitFor(() => Date.now() >= toggleAt, {
      timeoutMs: FLAP_EVERY_MS * 2,
      message: 'next toggle',
      intervalMs: 10,
    });
    if (toggles % 2 === 0) await cluster.lab.cut('a', 'b');
    else await cluster.lab.restore('a', 'b');
    await churnOnce(cluster, churn, toggles);
    toggles++;
  }
  await cluster.lab.restore('a', 'b');
  measured.push(`${toggles} toggles, a presence user joining on a or b and another leaving at each`);

  for (const [name, node] of cluster.nodes)
    assert.ok(node.process.running(), `${name} survived the flapping\n${node.process.output().slice(-2000)}`);
  const healedAt = Date.now();
  await cluster.waitForFullMesh(SERVERS, HEAL_BOUND_MS, 'full mesh after flapping');
  const present = [...EVERYONE, ...churn.map((m) => m.user)];
  await waitFor(() => presenceIs(cluster, [...CLIENTS, ...churn.map((m) => m.client)], SERVERS, present), {
    timeoutMs: HEAL_BOUND_MS,
    message: 'presence converging after flapping',
  });
  measured.push(
    `converged ${seconds(Date.now() - healedAt)} after the last toggle; ${peerUps(cluster) - peerUpsBefore} route (re)starts logged`,
  );

  const rssAfter = await Promise.all(SERVERS.map((name) => cluster.rssBytes(name)));
  const growth = rssAfter.map((after, i) => after - (rssBefore[i] ?? 0));
  measured.push(`RSS growth ${growth.map((bytes) => `${(bytes / 2 ** 20).toFixed(1)}`).join('/')} MB`);
  for (const [i, bytes] of growth.entries())
    assert.ok(bytes < RSS_GROWTH_LIMIT_BYTES, `${SERVERS[i]} grew ${bytes} bytes`);

  const loss = await stopLoad(cluster, SERVERS, [['a', 'b']]);
  measured.push(describeLoss(loss));
  recordLoad(t.title, loss);
  t.log('load failures', lastLoadFailures());
  assert.equal(loss.lost, 0, 'nothing lost on the links that stayed up');
  assert.equal(loss.duplicates, 0, 'no duplicates');
  assert.ok(await cluster.viewsAre({ a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'] }), 'one route per peer at the end');
}

/** Churn under the flapping: user `churnN` joins on a or b in turn; the oldest of three leaves. */
async function churnOnce(cluster: LabCluster, churn: Member[], round: number): Promise<void> {
  const joining: Member = { client: `churn${round}`, host: round % 2 === 0 ? 'b' : 'a', user: `churn${round}` };
  await joinPresence(cluster, [joining]);
  churn.push(joining);
  if (churn.length > 3) await cluster.driver.call('close', { name: churn.shift()?.client });
}

/** How many routes came up on every node so far, from their logs. */
function peerUps(cluster: LabCluster): number {
  let count = 0;
  for (const node of cluster.nodes.values()) count += node.process.output().match(PEER_UP_LINE)?.length ?? 0;
  return count;
}
