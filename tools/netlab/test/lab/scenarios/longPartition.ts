import type { ExecutionContext } from 'ava';
import { MESH_PORT } from '../../../src/meshNode.js';
import { seconds } from '../../../src/report.js';
import { LabCluster, waitFor } from '../support/labCluster.js';
import type { Measured } from '../support/labTest.js';
import { joinPresence, presenceIs, type Member } from '../support/presence.js';
import { HEAL_BOUND_MS } from './isolation.js';

/** Longer than a node keeps redialling a peer it learned by gossip (8 failures, ~16 s of backoff). */
const CUT_FOR_MS = 25_000;

export const LONG_PARTITION_EXPECTATION = `seeds = c only (a static address, no headless name); a–b cut ${CUT_FOR_MS / 1000} s, past the gossip redials: after the heal a and b find each other again (c re-sends its peer list) < ${HEAL_BOUND_MS / 1000} s`;

const SERVERS = ['a', 'b', 'c'];
const MEMBERS: Member[] = [
  { client: 'pa', host: 'a', user: 'ua' },
  { client: 'pb', host: 'b', user: 'ub' },
];

/**
 * Scenario 3b: a partial partition that outlasts the gossip redials, with seeds that name only
 * one node. Before the fix, a and b had forgotten each other and stayed apart for good.
 */
export async function longPartition(t: ExecutionContext, measured: Measured): Promise<void> {
  const cluster = await LabCluster.start(t, SERVERS, SERVERS, SERVERS, { CLUSTER_SEEDS: `c.lab:${MESH_PORT}` });
  await cluster.waitForFullMesh(SERVERS, 15_000);
  await joinPresence(cluster, MEMBERS);
  await waitFor(() => presenceIs(cluster, ['pa', 'pb'], SERVERS, ['ua', 'ub']), {
    timeoutMs: 10_000,
    message: 'presence before the cut',
  });

  const cutAt = Date.now();
  await cluster.lab.cut('a', 'b');
  await cluster.waitForViews({ a: ['c'], b: ['c'], c: ['a', 'b'] }, 10_000, 'a and b dropping each other');
  await waitFor(() => Date.now() - cutAt >= CUT_FOR_MS, {
    timeoutMs: CUT_FOR_MS + 5000,
    message: 'cut held',
    intervalMs: 500,
  });

  const healedAt = Date.now();
  await cluster.lab.restore('a', 'b');
  await cluster.waitForFullMesh(SERVERS, HEAL_BOUND_MS, 'a and b meeting again after a long cut');
  await waitFor(() => presenceIs(cluster, ['pa', 'pb'], SERVERS, ['ua', 'ub']), {
    timeoutMs: HEAL_BOUND_MS,
    message: 'presence after the heal',
  });
  measured.push(
    `cut ${seconds(CUT_FOR_MS)}; full mesh and presence again ${seconds(Date.now() - healedAt)} after the heal`,
  );
}
