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
  loadSubscriptions,
  presenceIs,
  presenceLogs,
  startLoad,
  stopLoad,
  transitionsSince,
  type Member,
} from '../support/presence.js';

/** How long after the heal every node must agree again (redial backoff is capped at 5 s). */
export const HEAL_BOUND_MS = 15_000;

export const ISOLATION_EXPECTATION = `c isolated > node timeout: a and b drop c's users (member_removed once per user, a user also on a stays, one webhook each), lose nothing between them; after the heal all converge < ${HEAL_BOUND_MS / 1000} s, one route per peer, c's users announced back by webhook once`;

const SERVERS = ['a', 'b', 'c'];
const MEMBERS: Member[] = [
  { client: 'pa1', host: 'a', user: 'a1' },
  { client: 'pa2', host: 'a', user: 'a2' },
  { client: 'pas', host: 'a', user: 'shared' },
  { client: 'pb1', host: 'b', user: 'b1' },
  { client: 'pc1', host: 'c', user: 'c1' },
  { client: 'pc2', host: 'c', user: 'c2' },
  { client: 'pcs', host: 'c', user: 'shared' },
];
const EVERYONE = ['a1', 'a2', 'b1', 'c1', 'c2', 'shared'];
const WITHOUT_C = ['a1', 'a2', 'b1', 'shared'];
const ON_A_AND_B = MEMBERS.filter((m) => m.host !== 'c').map((m) => m.client);
const ALL_CLIENTS = MEMBERS.map((m) => m.client);
/** c's own users: the webhooks must tell their leave and their return. */
const C_USERS = ['c1', 'c2'];
const WEBHOOK_LEAVE_DELAY_MS = 300;

/** Scenario 2: one host cut off from everyone for longer than the node timeout, then healed. */
export async function isolation(t: ExecutionContext, measured: Measured): Promise<void> {
  const cluster = await LabCluster.start(t, SERVERS, []);
  const webhooks = await cluster.listenForWebhooks(['member_added', 'member_removed'], WEBHOOK_LEAVE_DELAY_MS);
  await Promise.all(SERVERS.map((name) => cluster.startNode(name, { env: webhooks })));
  await cluster.waitForFullMesh(SERVERS, 15_000);
  await joinPresence(cluster, MEMBERS);
  await waitFor(() => presenceIs(cluster, ALL_CLIENTS, SERVERS, EVERYONE), {
    timeoutMs: 10_000,
    message: 'presence before the cut',
  });
  await startLoad(cluster, SERVERS);

  const beforeCut = await presenceLogs(cluster, ON_A_AND_B);
  const cutAt = Date.now();
  await cluster.lab.isolate('c');
  const detectedMs = await cluster.waitForViews({ a: ['b'], b: ['a'] }, 10_000, 'a and b dropping c');
  measured.push(`c declared gone by a and b after ${seconds(detectedMs)}`);
  await waitFor(() => presenceIs(cluster, ON_A_AND_B, ['a', 'b'], WITHOUT_C), {
    timeoutMs: 10_000,
    message: "a and b dropping c's users",
  });
  // Stay cut well past the node timeout, so that nothing of c comes back by luck.
  await waitFor(() => Date.now() - cutAt > LAB_TIMING.nodeTimeoutMs * 3, {
    timeoutMs: 10_000,
    message: 'isolation held',
  });
  for (const client of ON_A_AND_B) {
    const { added, removed } = await transitionsSince(cluster, client, beforeCut);
    assert.deepEqual(removed, ['c1', 'c2'], `${client}: member_removed exactly once for c1 and c2, never for shared`);
    assert.deepEqual(added, [], `${client}: no member_added during the isolation`);
  }
  measured.push("a, b: member_removed once for c1, c2; 'shared' (also on a) kept");
  await waitFor(async () => hookHistory(await cluster.webhookEvents(), C_USERS) === 'added,removed', {
    timeoutMs: 10_000,
    message: "member_removed webhooks for c's users",
  });

  const healedAt = Date.now();
  await cluster.lab.heal('c');
  await cluster.waitForFullMesh(SERVERS, HEAL_BOUND_MS, 'c rejoining');
  await waitFor(
    async () =>
      (await presenceIs(cluster, ALL_CLIENTS, SERVERS, EVERYONE)) &&
      (await Promise.all(SERVERS.map((host) => loadSubscriptions(cluster, host)))).every(
        (count) => count === SERVERS.length,
      ),
    { timeoutMs: HEAL_BOUND_MS, message: 'presence and counts converging after the heal' },
  );
  const convergedMs = Date.now() - healedAt;
  assert.ok(convergedMs <= HEAL_BOUND_MS, `converged in ${convergedMs} ms`);
  measured.push(
    `converged ${seconds(convergedMs)} after the heal (bound ${seconds(HEAL_BOUND_MS)}), one route per peer`,
  );
  for (const client of ON_A_AND_B) {
    const { added, removed } = await transitionsSince(cluster, client, beforeCut);
    assert.deepEqual(removed, ['c1', 'c2'], `${client}: no further member_removed`);
    assert.deepEqual(added, ['c1', 'c2'], `${client}: member_added once for c1 and c2 on the heal`);
  }
  // The app heard c's users leave; it must hear them come back, as the sockets did.
  await waitFor(async () => hookHistory(await cluster.webhookEvents(), C_USERS) === 'added,removed,added', {
    timeoutMs: 10_000,
    message: "member_added webhooks for c's users after the heal",
  });
  measured.push("webhooks: c's users removed once during the cut, added once after the heal");

  const loss = await stopLoad(cluster, SERVERS, [
    ['a', 'c'],
    ['b', 'c'],
    ['client', 'c'],
  ]);
  measured.push(describeLoss(loss));
  recordLoad(t.title, loss);
  t.log('load failures', lastLoadFailures());
  assert.equal(loss.lost, 0, 'nothing lost between a and b');
  assert.equal(loss.duplicates, 0, 'no duplicates');
  assert.ok(await cluster.viewsAre({ a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'] }), 'one route per peer at the end');
  assert.equal(hookHistory(await cluster.webhookEvents(), C_USERS), 'added,removed,added', 'no webhook twice');
}

/**
 * The webhooks each of `users` got, as one history (`added,removed,…`) when every user's is the
 * same, or all of them when they differ.
 */
function hookHistory(events: readonly string[], users: readonly string[]): string {
  const histories = users.map((user) =>
    events
      .filter((event) => event.endsWith(`:${user}`))
      .map((event) => event.replace(/^member_/, '').replace(/:.*$/, ''))
      .join(),
  );
  return new Set(histories).size === 1 ? histories[0]! : histories.join(' | ');
}
