import test from 'ava';
import { FrameType, type Frame } from '../src/frames.js';
import { PEER_LIST_EVERY_CHECKS } from '../src/Mesh.js';
import { startMesh, waitForPeers } from './support/inProcess.js';
import { freePort } from './support/ports.js';
import { RawPeer } from './support/rawPeer.js';
import { waitFor } from './support/waitFor.js';

const CHECK_INTERVAL_MS = 50;

function gossipedIds(frames: readonly Frame[]): string[][] {
  return frames
    .filter((frame) => frame[0] === FrameType.GOSSIP)
    .map((frame) => (frame[1] as Array<[string, string, number]>).map(([id]) => id));
}

// Two nodes that lost each other in a partial partition (both kept a common peer) forget each
// other's address after a few failed redials; only their common peer can tell them again.
test('every few checks a node re-sends its up peers to each peer, never the peer itself', async (t) => {
  const port = await freePort();
  const options = { port, checkIntervalMs: CHECK_INTERVAL_MS, nodeTimeoutMs: 5000 };
  const holder = await startMesh(t, options);
  const other = await startMesh(t, options);
  await waitForPeers([holder, other]);
  const raw = await RawPeer.join(t, port, '', await freePort());
  await waitFor(
    () => gossipedIds(raw.frames).filter((ids) => ids.includes(other.nodeId)).length >= 3,
    PEER_LIST_EVERY_CHECKS * CHECK_INTERVAL_MS * 10,
    () => `peer lists received: ${JSON.stringify(gossipedIds(raw.frames))}`,
  );
  const lists = gossipedIds(raw.frames);
  t.true(
    lists.every((ids) => !ids.includes(raw.nodeId)),
    'a peer is never told about itself',
  );
  t.true(
    lists.every((ids) => ids.length === 1 && ids[0] === other.nodeId),
    "only the holder's own up peers, once each",
  );
});
