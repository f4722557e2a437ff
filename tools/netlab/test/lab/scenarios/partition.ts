import assert from 'node:assert/strict';
import type { ExecutionContext } from 'ava';
import { LAB_TIMING } from '../../../src/meshNode.js';
import { seconds } from '../../../src/report.js';
import { LabCluster, waitFor } from '../support/labCluster.js';
import type { Measured } from '../support/labTest.js';
import {
  describeLoss,
  joinPresence,
  lastLoadFailures,
  presenceIs,
  presenceLogs,
  restPresence,
  startLoad,
  stopLoad,
  transitionsSince,
  type Member,
} from '../support/presence.js';
import { HEAL_BOUND_MS } from './isolation.js';

export const PARTITION_EXPECTATION =
  `a–b cut, both reach c: a and b each treat the other as gone (no relaying through c), c serves both and loses nothing; after the heal every view is the truth < ${HEAL_BOUND_MS / 1000} s`;

const SERVERS = ['a', 'b', 'c'];
const MEMBERS: Member[] = [
  { client: 'pa', host: 'a', user: 'ua' },
  { client: 'pb', host: 'b', user: 'ub' },
  { client: 'pc', host: 'c', user: 'uc' },
];
const EVERYONE = ['ua', 'ub', 'uc'];
const CLIENTS = MEMBERS.map((m) => m.client);

/** Scenario 3: a partial partition (a–b cut, both still reach c), then the heal. */
export async function partition(t: ExecutionContext, measured: Measured): Promise<void> {
  const cluster = await LabCluster.start(t, SERVERS);
  await cluster.waitForFullMesh(SERVERS, 15_000);
  await joinPresence(cluster, MEMBERS);
  await waitFor(() => presenceIs(cluster, CLIENTS, SERVERS, EVERYONE), { timeoutMs: 10_000, message: 'presence before the cut' });
  await startLoad(cluster, SERVERS);
  const beforeCut = await presenceLogs(cluster, CLIENTS);

  const cutAt = Date.now();
  await cluster.lab.cut('a', 'b');
  const splitMs = await cluster.waitForViews({ a: ['c'], b: ['c'], c: ['a', 'b'] }, 10_000, 'a and b dropping each other, c keeping both');
  measured.push(`a, b dropped each other after ${seconds(splitMs)}; c kept both`);
  // Each node's own view: a has no ub, b has no ua, c has everyone.
  await waitFor(async () => (await presenceIs(cluster, ['pa'], ['a'], ['ua', 'uc'])) && (await presenceIs(cluster, ['pb'], ['b'], ['ub', 'uc']))
    && (await presenceIs(cluster, ['pc'], ['c'], EVERYONE)), { timeoutMs: 10_000, message: 'views during the cut' });
  await waitFor(() => Date.now() - cutAt > LAB_TIMING.nodeTimeoutMs * 3, { timeoutMs: 10_000, message: 'cut held' });
  assert.deepEqual((await restPresence(cluster, 'c')).users, EVERYONE, 'c still lists everyone');
  assert.deepEqual(await transitionsSince(cluster, 'pa', beforeCut), { added: [], removed: ['ub'] }, 'a client on a saw ub leave once');
  assert.deepEqual(await transitionsSince(cluster, 'pb', beforeCut), { added: [], removed: ['ua'] }, 'a client on b saw ua leave once');
  assert.deepEqual(await transitionsSince(cluster, 'pc', beforeCut), { added: [], removed: [] }, 'a client on c saw nothing change');
  measured.push('during the cut: a lists ua, uc; b lists ub, uc; c lists all');

  const healedAt = Date.now();
  await cluster.lab.restore('a', 'b');
  await cluster.waitForFullMesh(SERVERS, HEAL_BOUND_MS, 'a and b meeting again');
  await waitFor(() => presenceIs(cluster, CLIENTS, SERVERS, EVERYONE), { timeoutMs: HEAL_BOUND_MS, message: 'presence converging after the heal' });
  const convergedMs = Date.now() - healedAt;
  assert.ok(convergedMs <= HEAL_BOUND_MS, `converged in ${convergedMs} ms`);
  measured.push(`converged ${seconds(convergedMs)} after the heal`);
  assert.deepEqual(await transitionsSince(cluster, 'pa', beforeCut), { added: ['ub'], removed: ['ub'] }, 'a client on a: ub left once, came back once');
  assert.deepEqual(await transitionsSince(cluster, 'pb', beforeCut), { added: ['ua'], removed: ['ua'] }, 'a client on b: ua left once, came back once');
  assert.deepEqual(await transitionsSince(cluster, 'pc', beforeCut), { added: [], removed: [] }, 'a client on c: no transition at all');

  const loss = await stopLoad(cluster, SERVERS, [['a', 'b']]);
  measured.push(describeLoss(loss));
  t.log('load failures', lastLoadFailures());
  assert.equal(loss.lost, 0, 'nothing lost on the links that stayed up (c↔a, c↔b, and within each node)');
  assert.equal(loss.duplicates, 0, 'no duplicates');
  assert.ok(await cluster.viewsAre({ a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'] }), 'one route per peer at the end');
}
