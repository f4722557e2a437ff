import test from 'ava';
import { fastTimers, startNodes, waitForFullMesh } from './support/MeshChild.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/waitFor.js';

test.serial(
  'a publish reaches exactly the interested nodes, in order, and no PUB frame reaches the others',
  async (t) => {
    const port = await freePort();
    const [publisher, first, second, bystander] = await startNodes(t, 4, { host: '127.0.0.1', port, ...fastTimers });
    const nodes = [publisher!, first!, second!, bystander!];
    await waitForFullMesh(nodes, 20_000);
    await first!.call({ cmd: 'subscribe', subject: 'news' });
    await second!.call({ cmd: 'subscribe', subject: 'news' });
    await bystander!.call({ cmd: 'subscribe', subject: 'sports' });
    await waitFor(
      async () => (await publisher!.stats()).peers.filter((peer) => peer.subjects === 1).length === 3,
      10_000,
      'publisher did not learn the interest of its peers',
    );
    const count = 2000;
    await publisher!.call({ cmd: 'publish', subject: 'news', count });
    for (const node of [first!, second!]) {
      await waitFor(
        async () => (await node.received('news')).count === count,
        15_000,
        `node ${node.nodeId} did not receive ${count}`,
      );
      t.deepEqual(await node.received('news'), { count, inOrder: true, lastSeq: count - 1 });
    }
    const publisherStats = await publisher!.stats();
    t.is(publisherStats.totals.framesOutByType.PUB, 2 * count, 'one PUB frame per interested peer and message');
    const bystanderStats = await bystander!.stats();
    t.is(bystanderStats.totals.framesInByType.PUB, 0, 'the uninterested node received no PUB frame');
    t.is((await bystander!.received('news')).count, 0);
    t.is((await first!.stats()).totals.framesInByType.PUB, count);
  },
);

test.serial('broadcast reaches every node; requests to all gather one reply per peer', async (t) => {
  const port = await freePort();
  const nodes = await startNodes(t, 3, { host: '127.0.0.1', port, ...fastTimers });
  await waitForFullMesh(nodes, 20_000);
  const [asker, ...others] = nodes;
  const replies = await asker!.call<{ nodeId: string; ok: boolean; payload: { by: string; from: string } }[]>({
    cmd: 'request',
    target: 'all',
    topic: 'echo',
    payload: 'ping',
    timeoutMs: 5000,
  });
  t.deepEqual(replies.map((reply) => reply.nodeId).sort(), others.map((node) => node.nodeId).sort());
  for (const reply of replies) {
    t.true(reply.ok);
    t.is(reply.payload.by, reply.nodeId);
    t.is(reply.payload.from, asker!.nodeId);
  }
  await asker!.call({ cmd: 'broadcast', topic: 'hello', payload: { n: 1 } });
  for (const node of others) {
    await waitFor(
      async () => (await node.stats()).totals.framesInByType.MSG === 1,
      5000,
      `node ${node.nodeId} got no broadcast`,
    );
  }
  t.pass();
});
