import test from 'ava';
import type { RequestReply } from '../src/ClusterTransport.js';
import { beatIntervalFor } from '../src/liveness/beatInterval.js';
import { PEER_LIST_EVERY_CHECKS } from '../src/Mesh.js';
import { PEERS_TOPIC, PeerRecovery } from '../src/PeerRecovery.js';
import type { PeerAddress } from '../src/frames.js';
import { startMesh, waitForPeers } from './support/inProcess.js';
import { freePort } from './support/ports.js';
import { RawPeer } from './support/rawPeer.js';
import { waitFor } from './support/waitFor.js';

const CHECK_INTERVAL_MS = 50;

/** A recovery whose peers answer with `lists` (one reply per list) and that records what it learns. */
function recoveryWith(lists: () => PeerAddress[][]) {
  const asked: string[] = [];
  const learned: string[] = [];
  const recovery = new PeerRecovery({
    peers: () => ['c'],
    request: (_target, topic) => {
      asked.push(topic);
      const replies: RequestReply[] = lists().map((payload) => ({ nodeId: 'c', ok: true, payload }));
      return Promise.resolve(replies);
    },
    learn: (peers) => learned.push(...peers.map(([nodeId]) => nodeId)),
  });
  return { recovery, asked, learned };
}

test('a node that lost a peer asks for peer lists until no peer has it up; a BYE or a healthy mesh asks nothing', async (t) => {
  let lists: PeerAddress[][] = [[['b', '127.0.0.1', 1]]];
  const { recovery, asked, learned } = recoveryWith(() => lists);
  recovery.ask(1000);
  recovery.peerDown('a', 'bye');
  recovery.ask(1000);
  t.deepEqual(asked, [], 'nothing lost, nothing asked');
  recovery.peerDown('b', 'timeout');
  recovery.ask(1000);
  await waitFor(() => learned.length === 1, 1000, 'the reply was not learned');
  t.deepEqual(asked, [PEERS_TOPIC]);
  t.deepEqual(learned, ['b'], 'the common peer names the lost one again');
  t.is(recovery.lostCount, 1, 'still looked for while a peer has it up');
  lists = [[]];
  recovery.ask(1000);
  await waitFor(() => recovery.lostCount === 0, 1000, 'a peer nobody has up is still looked for');
  recovery.ask(1000);
  t.is(asked.length, 2, 'gone for everyone: no more asking');
});

test('a peer that comes back is no longer looked for; failed replies forget nothing', async (t) => {
  const { recovery, asked } = recoveryWith(() => []);
  recovery.peerDown('b', 'connection-lost');
  recovery.ask(1000);
  await waitFor(() => asked.length === 1, 1000, 'not asked');
  t.is(recovery.lostCount, 1, 'no answer is no evidence');
  recovery.peerUp('b');
  t.is(recovery.lostCount, 0);
});

// In an idle, healthy mesh only PINGs flow: the peer list goes out once per route, at route up.
test('a node that lost a peer asks its peers once, then an idle mesh sends nothing but PINGs', async (t) => {
  const port = await freePort();
  const options = { port, checkIntervalMs: CHECK_INTERVAL_MS, nodeTimeoutMs: 1000 };
  const holder = await startMesh(t, options);
  const other = await startMesh(t, options);
  await waitForPeers([holder, other]);
  const raw = await RawPeer.join(t, port, '', await freePort());
  await waitFor(() => holder.peers().length === 2, 5000, 'the raw peer did not come up');
  raw.destroy();
  const requests = (): number => other.stats().totals.framesInByType.REQ;
  await waitFor(() => requests() === 1, PEER_LIST_EVERY_CHECKS * CHECK_INTERVAL_MS * 20, 'holder never asked');
  const before = other.stats().totals;
  const pingsFromHolder = (): number => other.stats().totals.framesInByType.PING - before.framesInByType.PING;
  // Three rounds of peer-list checks, counted in the holder's beats.
  const beatMs = beatIntervalFor(options.checkIntervalMs, options.nodeTimeoutMs);
  await waitFor(
    () => pingsFromHolder() >= (3 * PEER_LIST_EVERY_CHECKS * CHECK_INTERVAL_MS) / beatMs,
    PEER_LIST_EVERY_CHECKS * CHECK_INTERVAL_MS * 30,
    'no heartbeats',
  );
  const after = other.stats().totals;
  t.is(requests(), 1, 'the lost peer is gone for everyone: asked once');
  t.is(after.framesInByType.GOSSIP, before.framesInByType.GOSSIP, 'no peer list per tick');
  t.is(after.framesIn - before.framesIn, after.framesInByType.PING - before.framesInByType.PING, 'only PINGs');
});

test("a quiet route beats for the peer's node timeout, each way; the round trip is known at once", async (t) => {
  const port = await freePort();
  // a judges silence after 600 ms, so b beats for it every 300 ms (six checks); b waits 30 s, so
  // a beats for it every 15 s: nodes with other timeouts still keep each other alive.
  const a = await startMesh(t, { port, checkIntervalMs: CHECK_INTERVAL_MS, nodeTimeoutMs: 12 * CHECK_INTERVAL_MS });
  const b = await startMesh(t, { port, checkIntervalMs: CHECK_INTERVAL_MS, nodeTimeoutMs: 30_000 });
  const beatMs = beatIntervalFor(CHECK_INTERVAL_MS, 12 * CHECK_INTERVAL_MS);
  t.is(beatMs, 6 * CHECK_INTERVAL_MS);
  await waitForPeers([a, b]);
  await waitFor(() => a.stats().peers[0]?.rttMs !== null && b.stats().peers[0]?.rttMs !== null, 5000, 'no RTT');
  const startedAt = performance.now();
  const pingsOut = (mesh: typeof a): number => mesh.stats().totals.framesOutByType.PING;
  const [aBefore, bBefore] = [pingsOut(a), pingsOut(b)];
  await waitFor(() => pingsOut(b) >= bBefore + 10, 10_000, 'no PINGs');
  const beats = (performance.now() - startedAt) / beatMs;
  const fromB = pingsOut(b) - bBefore;
  t.true(fromB <= beats + 2, `${fromB} PINGs in ${beats.toFixed(1)} beats`);
  t.is(pingsOut(a) - aBefore, 0, 'a quiet route to a patient peer beats far less often');
  t.deepEqual(a.peers(), [b.nodeId], 'no route was judged dead between beats');
});
