import test from 'ava';
import { fastTimers, MeshChild, startNodes, waitForFullMesh } from './support/MeshChild.js';
import { freePort } from './support/ports.js';

test.serial('5 processes started with the same host and port form a full mesh', async (t) => {
  const port = await freePort();
  const nodes = await startNodes(t, 5, { host: '127.0.0.1', port, ...fastTimers });
  await waitForFullMesh(nodes, 20_000);
  const stats = await Promise.all(nodes.map((node) => node.stats()));
  t.is(stats.filter((s) => s.holdsRendezvous).length, 1, 'exactly one node holds the rendezvous port');
  for (const s of stats) {
    t.is(s.peers.length, 4);
    t.is(s.rendezvous, `127.0.0.1:${port}`);
  }
});

test.serial('a process started with only a seed (no rendezvous port) joins the whole mesh', async (t) => {
  const port = await freePort();
  const nodes = await startNodes(t, 3, { host: '127.0.0.1', port, ...fastTimers });
  await waitForFullMesh(nodes, 20_000);
  const nonHolder = (await Promise.all(nodes.map((node) => node.stats()))).find((s) => !s.holdsRendezvous);
  t.truthy(nonHolder);
  const joiner = await MeshChild.start(t, { host: '127.0.0.1', port: 0, seeds: [nonHolder!.address], ...fastTimers });
  await waitForFullMesh([...nodes, joiner], 20_000);
  const joinerStats = await joiner.stats();
  t.is(joinerStats.rendezvous, null);
  t.is(joinerStats.peers.length, 3);
});
