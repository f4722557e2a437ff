import test from 'ava';
import { FrameType } from '../src/frames.js';
import { fastTimers, startNodes, waitForFullMesh } from './support/MeshChild.js';
import { freePort } from './support/ports.js';
import { RawPeer } from './support/rawPeer.js';
import { waitFor } from './support/waitFor.js';

const HIGH_WATER_MARK_BYTES = 1024 * 1024;
const PAYLOAD_BYTES = 16 * 1024;
const PER_ROUND = 500;

test.serial('a peer that stops reading is cut off as a slow consumer while the others keep flowing', async (t) => {
  const port = await freePort();
  const nodes = await startNodes(t, 2, {
    host: '127.0.0.1',
    port,
    highWaterMarkBytes: HIGH_WATER_MARK_BYTES,
    ...fastTimers,
  });
  await waitForFullMesh(nodes, 20_000);
  const stats = await Promise.all(nodes.map((node) => node.stats()));
  const publisher = nodes[stats.findIndex((s) => s.holdsRendezvous)]!;
  const reader = nodes.find((node) => node !== publisher)!;
  await reader.call({ cmd: 'subscribe', subject: 'big' });

  const stalled = await RawPeer.join(t, port, '', await freePort());
  stalled.send([FrameType.SUB, ['big']]);
  await waitFor(
    async () => (await publisher.stats()).peers.filter((p) => p.subjects === 1).length === 2,
    10_000,
    'interest not learned',
  );
  stalled.stall(fastTimers.checkIntervalMs);

  let published = 0;
  await waitFor(
    async () => {
      await publisher.call(
        {
          cmd: 'publish',
          subject: 'big',
          count: PER_ROUND,
          firstSeq: published,
          padBytes: PAYLOAD_BYTES,
          paceOn: reader.nodeId,
        },
        60_000,
      );
      published += PER_ROUND;
      return (await publisher.stats()).slowConsumers > 0;
    },
    60_000,
    () => `the stalled peer was not cut off after ${published} messages`,
  );
  t.log(`cut off after ${published} messages of ${PAYLOAD_BYTES} bytes`);
  await waitFor(() => stalled.closed, 10_000, "the stalled peer's socket was not closed");
  const publisherStats = await publisher.stats();
  t.false(publisherStats.peers.some((peer) => peer.nodeId === stalled.nodeId));
  t.true(publisherStats.peers.every((peer) => peer.queuedBytes <= HIGH_WATER_MARK_BYTES));
  t.true(publisher.logs('warn').some((log) => log.message.includes('slow consumer')));
  t.deepEqual(
    publisher.peerDowns().map((event) => [event.nodeId, event.reason]),
    [[stalled.nodeId, 'slow-consumer']],
  );

  await waitFor(
    async () => (await reader.received('big')).count === published,
    30_000,
    'the healthy reader fell behind',
  );
  t.deepEqual(await reader.received('big'), { count: published, inOrder: true, lastSeq: published - 1 });
  t.deepEqual(reader.peerDowns(), [], 'the healthy route never went down');
});
