import assert from 'node:assert/strict';
import type { ExecutionContext } from 'ava';
import { LAB_TIMING } from '../../../src/meshNode.js';
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

/** Cuts just under, at and past the node timeout (1.5 s): one side often gives up before the other. */
const CUTS_MS = [1300, 1450, 1550, 1650, 1750, 1900, 1400, 1500, 1600, 1700, 1800, 2100];

export const NEAR_TIMEOUT_EXPECTATION = `a–b cut ${CUTS_MS.length} times for ${CUTS_MS[0]! / 1000}–${Math.max(...CUTS_MS) / 1000} s around the ${LAB_TIMING.nodeTimeoutMs / 1000} s node timeout (one side may drop the route while the other keeps it), with churn and load: one route per peer and the true state after the last heal < ${HEAL_BOUND_MS / 1000} s`;

const SERVERS = ['a', 'b', 'c'];
const MEMBERS: Member[] = [
  { client: 'pa', host: 'a', user: 'ua' },
  { client: 'pb', host: 'b', user: 'ub' },
  { client: 'pc', host: 'c', user: 'uc' },
];

/** Scenario 4b: cuts as long as the node timeout, where the two ends judge the route differently. */
export async function nearTimeout(t: ExecutionContext, measured: Measured): Promise<void> {
  const cluster = await LabCluster.start(t, SERVERS);
  await cluster.waitForFullMesh(SERVERS, 15_000);
  await joinPresence(cluster, MEMBERS);
  await waitFor(
    () =>
      presenceIs(
        cluster,
        MEMBERS.map((m) => m.client),
        SERVERS,
        ['ua', 'ub', 'uc'],
      ),
    { timeoutMs: 10_000, message: 'presence before the cuts' },
  );
  await startLoad(cluster, SERVERS);

  const churn: Member[] = [];
  for (const [round, cutMs] of CUTS_MS.entries()) {
    const cutAt = Date.now();
    await cluster.lab.cut('a', 'b');
    await waitFor(() => Date.now() - cutAt >= cutMs, { timeoutMs: cutMs + 1000, message: 'cut held', intervalMs: 10 });
    await cluster.lab.restore('a', 'b');
    const joining: Member = { client: `near${round}`, host: round % 2 === 0 ? 'b' : 'a', user: `near${round}` };
    await joinPresence(cluster, [joining]);
    churn.push(joining);
    if (churn.length > 2) await cluster.driver.call('close', { name: churn.shift()?.client });
    const upAt = Date.now();
    await waitFor(() => Date.now() - upAt >= 300 + (round % 3) * 200, {
      timeoutMs: 2000,
      message: 'link up held',
      intervalMs: 10,
    });
  }

  const healedAt = Date.now();
  await cluster.waitForFullMesh(SERVERS, HEAL_BOUND_MS, 'full mesh after the cuts');
  const truth = ['ua', 'ub', 'uc', ...churn.map((m) => m.user)];
  await waitFor(
    () =>
      presenceIs(
        cluster,
        [...MEMBERS, ...churn].map((m) => m.client),
        SERVERS,
        truth,
      ),
    { timeoutMs: HEAL_BOUND_MS, message: 'presence converging after the cuts' },
  );
  const refusals = [...cluster.nodes.values()].reduce(
    (sum, node) => sum + (node.process.output().match(/duplicate route/g)?.length ?? 0),
    0,
  );
  measured.push(
    `converged ${seconds(Date.now() - healedAt)} after the last heal; ${refusals} duplicate-route refusals logged on the way`,
  );

  const loss = await stopLoad(cluster, SERVERS, [['a', 'b']]);
  measured.push(describeLoss(loss));
  recordLoad(t.title, loss);
  t.log('load failures', lastLoadFailures());
  assert.equal(loss.lost, 0, 'nothing lost on the links that stayed up');
  assert.equal(loss.duplicates, 0, 'no duplicates');
  assert.ok(await cluster.viewsAre({ a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'] }), 'one route per peer at the end');
}
