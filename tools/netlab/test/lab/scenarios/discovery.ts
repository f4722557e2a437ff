import assert from 'node:assert/strict';
import { HEADLESS_NAME } from '../../../src/plan.js';
import { seconds } from '../../../src/report.js';
import { rootNamespaceBlocks } from '../../../src/system.js';
import { LabCluster, waitFor } from '../support/labCluster.js';
import type { Measured } from '../support/labTest.js';
import type { ExecutionContext } from 'ava';

export const DISCOVERY_EXPECTATION =
  'CLUSTER_SEEDS = the headless name only: 3 hosts full mesh < 15 s; a 4th host started without seeds joins once the name lists it (re-resolution + gossip) < 15 s; /cluster identical on all 4';

const FORM_DEADLINE_MS = 15_000;

/** Scenario 1: discovery across hosts through the headless name only. */
export async function discovery(t: ExecutionContext, measured: Measured): Promise<void> {
  const cluster = await LabCluster.start(t, ['a', 'b', 'c', 'd'], ['a', 'b', 'c'], ['a', 'b', 'c']);
  const address = (name: string): string => cluster.address(name);
  for (const host of cluster.lab.plan.hosts)
    assert.ok(rootNamespaceBlocks(host.address), `the root namespace blackholes ${host.address}`);
  const resolve = (): Promise<string[]> => cluster.driver.call<string[]>('lookup', { name: HEADLESS_NAME });
  assert.deepEqual(
    await resolve(),
    ['a', 'b', 'c'].map(address),
    `${HEADLESS_NAME} resolves to a, b, c inside the lab`,
  );
  const formedMs = await cluster.waitForFullMesh(['a', 'b', 'c'], FORM_DEADLINE_MS);
  measured.push(
    `root namespace blackholes the lab; ${HEADLESS_NAME} → a, b, c; 3 hosts meshed in ${seconds(formedMs)}`,
  );

  // d knows nobody: only the others re-resolving the name (and gossip among them) can bring it in.
  await cluster.startNode('d', { env: { CLUSTER_SEEDS: '' } });
  const alone = await cluster.view('d');
  assert.deepEqual(alone.peers, [], 'd, started without seeds, is alone before the name lists it');
  cluster.lab.setHeadless(['a', 'b', 'c', 'd']);
  assert.deepEqual(
    await resolve(),
    ['a', 'b', 'c', 'd'].map(address),
    'a running process sees the rewritten hosts file',
  );
  const joinedMs = await cluster.waitForFullMesh(['a', 'b', 'c', 'd'], FORM_DEADLINE_MS, 'd joining by re-resolution');
  measured.push(`d joined ${seconds(joinedMs)} after the name listed it`);

  const everyone = (await Promise.all(['a', 'b', 'c', 'd'].map((name) => cluster.nodeId(name)))).sort();
  for (const name of ['a', 'b', 'c', 'd']) {
    const view = await cluster.view(name);
    assert.deepEqual([...view.peers, view.nodeId].sort(), everyone, `/cluster of ${name} lists the same mesh`);
    assert.equal(view.routes, 3, `${name} has one route per peer`);
  }
  measured.push('/cluster identical on 4 nodes, 3 routes each');

  // The mesh keeps working across hosts: an event through d reaches a client on a.
  await cluster.driver.call('open', { name: 'watcher', address: cluster.address('a') });
  await cluster.driver.call('subscribe', { name: 'watcher', channel: 'discovery' });
  await cluster.driver.call('listen', { name: 'watcher', channel: 'discovery', event: 'ping' });
  assert.equal(
    await cluster.driver.call('trigger', {
      address: cluster.address('d'),
      channel: 'discovery',
      event: 'ping',
      data: { n: 1 },
    }),
    200,
  );
  await waitFor(
    async () =>
      (await cluster.driver.call<unknown[]>('received', { name: 'watcher', channel: 'discovery', event: 'ping' }))
        .length === 1,
    { timeoutMs: 5000, message: 'an event through d reaching a client on a' },
  );
  measured.push('event through d reached a client on a');
}
