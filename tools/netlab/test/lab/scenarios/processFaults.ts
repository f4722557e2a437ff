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

export const PROCESS_FAULTS_EXPECTATION = `c's server paused (SIGSTOP) past the node timeout then resumed; b's server SIGKILLed and restarted on the same address (new node id): the others drop the dead one, the mesh converges < ${HEAL_BOUND_MS / 1000} s (presence once pusher-js has reconnected to b by itself, < ${(HEAL_BOUND_MS * 2) / 1000} s), nothing lost among the other hosts`;

const SERVERS = ['a', 'b', 'c'];
const MEMBERS: Member[] = [
  { client: 'pa', host: 'a', user: 'ua' },
  { client: 'pb', host: 'b', user: 'ub' },
  { client: 'pc', host: 'c', user: 'uc' },
];
const CLIENTS = MEMBERS.map((m) => m.client);
const EVERYONE = ['ua', 'ub', 'uc'];

/** Scenario 6: the process faults of a host (pause, kill and restart) instead of link faults. */
export async function processFaults(t: ExecutionContext, measured: Measured): Promise<void> {
  const cluster = await LabCluster.start(t, SERVERS);
  await cluster.waitForFullMesh(SERVERS, 15_000);
  await joinPresence(cluster, MEMBERS);
  await waitFor(() => presenceIs(cluster, CLIENTS, SERVERS, EVERYONE), {
    timeoutMs: 10_000,
    message: 'presence before the faults',
  });
  await startLoad(cluster, SERVERS);

  const c = cluster.nodes.get('c');
  assert.ok(c !== undefined);
  const pausedAt = Date.now();
  await c.process.stop('SIGSTOP');
  await cluster.waitForViews({ a: ['b'], b: ['a'] }, 10_000, 'a and b dropping the paused c');
  await waitFor(() => presenceIs(cluster, ['pa', 'pb'], ['a', 'b'], ['ua', 'ub']), {
    timeoutMs: 10_000,
    message: "a and b dropping c's user",
  });
  await waitFor(() => Date.now() - pausedAt > LAB_TIMING.nodeTimeoutMs * 3, {
    timeoutMs: 10_000,
    message: 'pause held',
  });
  const resumedAt = Date.now();
  await c.process.stop('SIGCONT');
  await cluster.waitForFullMesh(SERVERS, HEAL_BOUND_MS, 'c rejoining after SIGCONT');
  await waitFor(() => presenceIs(cluster, CLIENTS, SERVERS, EVERYONE), {
    timeoutMs: HEAL_BOUND_MS,
    message: 'presence after SIGCONT',
  });
  measured.push(`SIGSTOP c: dropped, after SIGCONT converged in ${seconds(Date.now() - resumedAt)}`);
  await stopLoadOwing(t, cluster, 'c', measured);
  await startLoad(cluster, SERVERS);

  const oldB = await cluster.nodeId('b');
  await cluster.nodes.get('b')?.process.stop('SIGKILL');
  await cluster.waitForViews({ a: ['c'], c: ['a'] }, 10_000, 'a and c dropping the killed b');
  const restartedAt = Date.now();
  await cluster.startNode('b');
  const newB = (await cluster.view('b')).nodeId;
  assert.notEqual(newB, oldB, 'a restarted process is a new node');
  const joinedMs = await cluster.waitForFullMesh(SERVERS, HEAL_BOUND_MS, 'the restarted b joining');
  // pusher-js reconnects to b's address by itself (after its own backoff) and subscribes again.
  await waitFor(() => presenceIs(cluster, CLIENTS, SERVERS, EVERYONE), {
    timeoutMs: HEAL_BOUND_MS * 2,
    message: 'presence after the restart',
  });
  measured.push(
    `SIGKILL b + restart: the new node meshed ${seconds(joinedMs)} after its start; presence converged once pusher-js reconnected, ${seconds(Date.now() - restartedAt)} after the restart`,
  );
  await stopLoadOwing(t, cluster, 'b', measured);
  assert.ok(await cluster.viewsAre({ a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'] }), 'one route per peer at the end');
}

/** Stops the load and checks that nothing was lost among the hosts other than `faulty`. */
async function stopLoadOwing(
  t: ExecutionContext,
  cluster: LabCluster,
  faulty: string,
  measured: Measured,
): Promise<void> {
  const cut = [...SERVERS, 'client'].filter((host) => host !== faulty).map((host): [string, string] => [host, faulty]);
  const loss = await stopLoad(cluster, SERVERS, cut);
  measured.push(`${faulty} faulty: ${describeLoss(loss)}`);
  recordLoad(`${t.title.split(' ')[0]}/${faulty}-faulty`, loss);
  t.log('load failures', lastLoadFailures());
  assert.equal(loss.lost, 0, `nothing lost among the hosts other than ${faulty}`);
  assert.equal(loss.duplicates, 0, 'no duplicates');
}
