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
  presenceLogs,
  restPresence,
  startLoad,
  stopLoad,
  transitionsSince,
  type Member,
} from '../support/presence.js';
import { HEAL_BOUND_MS } from './isolation.js';

export const PARTITION_EXPECTATION = `a–b cut, both reach c: a and b each treat the other as gone (no relaying through c), c serves both and loses nothing; after the heal every view is the truth < ${HEAL_BOUND_MS / 1000} s`;

const SERVERS = ['a', 'b', 'c'];
const MEMBERS: Member[] = [
  { client: 'pa', host: 'a', user: 'ua' },
  { client: 'pb', host: 'b', user: 'ub' },
  { client: 'pb2', host: 'b', user: 'ub2' },
  { client: 'pc', host: 'c', user: 'uc' },
];
/** Joining during the cut, on each side of it. */
const JOINING: Member[] = [
  { client: 'pa2', host: 'a', user: 'ua2' },
  { client: 'pb3', host: 'b', user: 'ub3' },
];
const WATCHERS = ['pa', 'pb', 'pc'];
const BEFORE = ['ua', 'ub', 'ub2', 'uc'];
/** The truth from the middle of the cut on: ub2 left (on b), ua2 joined on a, ub3 on b. */
const AFTER = ['ua', 'ua2', 'ub', 'ub3', 'uc'];
const CLIENTS_AFTER = ['pa', 'pa2', 'pb', 'pb3', 'pc'];

/** Scenario 3: a partial partition (a–b cut, both still reach c), then the heal. */
export async function partition(t: ExecutionContext, measured: Measured): Promise<void> {
  const cluster = await LabCluster.start(t, SERVERS);
  await cluster.waitForFullMesh(SERVERS, 15_000);
  await joinPresence(cluster, MEMBERS);
  await waitFor(
    () =>
      presenceIs(
        cluster,
        MEMBERS.map((m) => m.client),
        SERVERS,
        BEFORE,
      ),
    { timeoutMs: 10_000, message: 'presence before the cut' },
  );
  await startLoad(cluster, SERVERS);
  const beforeCut = await presenceLogs(cluster, WATCHERS);

  const cutAt = Date.now();
  await cluster.lab.cut('a', 'b');
  const splitMs = await cluster.waitForViews(
    { a: ['c'], b: ['c'], c: ['a', 'b'] },
    10_000,
    'a and b dropping each other, c keeping both',
  );
  measured.push(`a, b dropped each other after ${seconds(splitMs)}; c kept both`);
  // Membership changes on both sides while they cannot see each other.
  await cluster.driver.call('close', { name: 'pb2' });
  await joinPresence(cluster, JOINING);
  // Each node's own view: a has none of b's users, b none of a's, c has everyone.
  await waitFor(
    async () =>
      (await presenceIs(cluster, ['pa', 'pa2'], ['a'], ['ua', 'ua2', 'uc'])) &&
      (await presenceIs(cluster, ['pb', 'pb3'], ['b'], ['ub', 'ub3', 'uc'])) &&
      (await presenceIs(cluster, ['pc'], ['c'], AFTER)),
    { timeoutMs: 10_000, message: 'views during the cut' },
  );
  await waitFor(() => Date.now() - cutAt > LAB_TIMING.nodeTimeoutMs * 3, { timeoutMs: 10_000, message: 'cut held' });
  assert.deepEqual((await restPresence(cluster, 'c')).users, AFTER, 'c lists everyone present');
  assert.deepEqual(
    await transitionsSince(cluster, 'pa', beforeCut),
    { added: ['ua2'], removed: ['ub', 'ub2'] },
    "a client on a: b's users left once, ua2 joined",
  );
  assert.deepEqual(
    await transitionsSince(cluster, 'pb', beforeCut),
    { added: ['ub3'], removed: ['ua', 'ub2'] },
    'a client on b: ua left once, ub2 left, ub3 joined',
  );
  assert.deepEqual(
    await transitionsSince(cluster, 'pc', beforeCut),
    { added: ['ua2', 'ub3'], removed: ['ub2'] },
    'a client on c saw only real changes',
  );
  measured.push(
    'during the cut (ub2 leaves on b, ua2 joins on a, ub3 on b): a and b each list only their side + c; c lists the truth',
  );

  const healedAt = Date.now();
  await cluster.lab.restore('a', 'b');
  await cluster.waitForFullMesh(SERVERS, HEAL_BOUND_MS, 'a and b meeting again');
  await waitFor(() => presenceIs(cluster, CLIENTS_AFTER, SERVERS, AFTER), {
    timeoutMs: HEAL_BOUND_MS,
    message: 'presence converging after the heal',
  });
  const convergedMs = Date.now() - healedAt;
  assert.ok(convergedMs <= HEAL_BOUND_MS, `converged in ${convergedMs} ms`);
  measured.push(`converged ${seconds(convergedMs)} after the heal`);
  // ub2, who left during the cut, never comes back; the users of the other side come back once.
  assert.deepEqual(
    await transitionsSince(cluster, 'pa', beforeCut),
    { added: ['ua2', 'ub', 'ub3'], removed: ['ub', 'ub2'] },
    'a client on a after the heal',
  );
  assert.deepEqual(
    await transitionsSince(cluster, 'pb', beforeCut),
    { added: ['ua', 'ua2', 'ub3'], removed: ['ua', 'ub2'] },
    'a client on b after the heal',
  );
  assert.deepEqual(
    await transitionsSince(cluster, 'pc', beforeCut),
    { added: ['ua2', 'ub3'], removed: ['ub2'] },
    'a client on c: no transition from the heal',
  );

  const loss = await stopLoad(cluster, SERVERS, [['a', 'b']]);
  measured.push(describeLoss(loss));
  recordLoad(t.title, loss);
  t.log('load failures', lastLoadFailures());
  assert.equal(loss.lost, 0, 'nothing lost on the links that stayed up (c↔a, c↔b, and within each node)');
  assert.equal(loss.duplicates, 0, 'no duplicates');
  assert.ok(await cluster.viewsAre({ a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'] }), 'one route per peer at the end');
}
