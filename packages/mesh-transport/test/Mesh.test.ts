import test from 'ava';
import type { Mesh } from '../src/index.js';
import { startMesh, waitForInterest, waitForPeers } from './support/inProcess.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/waitFor.js';

const timers = { checkIntervalMs: 100, nodeTimeoutMs: 10_000, masterTimeoutMs: 500 };

async function pair(t: Parameters<typeof startMesh>[0]): Promise<[Mesh, Mesh]> {
  const port = await freePort();
  const a = await startMesh(t, { port, ...timers });
  const b = await startMesh(t, { port, ...timers });
  await waitForPeers([a, b]);
  return [a, b];
}

test('two nodes on one rendezvous port find each other; the first holds the port', async (t) => {
  const port = await freePort();
  const a = await startMesh(t, { port, ...timers });
  const b = await startMesh(t, { port, ...timers });
  const upOnA = new Promise<unknown[]>((resolve) => a.once('peer-up', (...args) => resolve(args)));
  await waitForPeers([a, b]);
  const [nodeId, info] = await upOnA;
  t.is(nodeId, b.nodeId);
  t.deepEqual(info, { nodeId: b.nodeId, address: b.stats().address });
  t.true(a.stats().holdsRendezvous);
  t.false(b.stats().holdsRendezvous);
  t.is(a.stats().address, `127.0.0.1:${port}`);
  t.is(b.stats().rendezvous, `127.0.0.1:${port}`);
});

test('publish reaches a subscribed peer only, and stops after the last unsubscribe', async (t) => {
  const [a, b] = await pair(t);
  const got: unknown[][] = [];
  b.on('message', (...args) => got.push(args));
  b.subscribe('news');
  b.subscribe('news');
  await waitForInterest(a, b, 1);
  a.publish('news', { n: 1 });
  a.publish('other', { n: 2 });
  await waitFor(() => got.length === 1, 5000, 'message not delivered');
  t.deepEqual(got[0], ['news', { n: 1 }, a.nodeId]);
  b.unsubscribe('news');
  t.is(a.stats().peers[0]?.subjects, 1, 'one unsubscribe of two keeps the interest');
  b.unsubscribe('news');
  await waitForInterest(a, b, 0);
  const pubsBefore = a.stats().totals.framesOutByType.PUB;
  a.publish('news', { n: 3 });
  t.is(a.stats().totals.framesOutByType.PUB, pubsBefore, 'no PUB frame leaves without interest');
});

test('broadcast, sendTo and binary payloads arrive as broadcast events', async (t) => {
  const [a, b] = await pair(t);
  const got: unknown[][] = [];
  b.on('broadcast', (...args) => got.push(args));
  a.broadcast('hello', 'everyone');
  t.true(a.sendTo(b.nodeId, 'direct', Buffer.from([1, 2, 3])));
  t.false(a.sendTo('not-a-peer', 'direct', 1));
  await waitFor(() => got.length === 2, 5000, 'broadcasts not delivered');
  t.deepEqual(got[0], ['hello', 'everyone', a.nodeId]);
  t.deepEqual(got[1], ['direct', Buffer.from([1, 2, 3]), a.nodeId]);
});

test("request reaches every peer's handler and returns one reply each", async (t) => {
  const [a, b] = await pair(t);
  b.handle('double', (payload, from) => ({ value: (payload as number) * 2, from }));
  t.deepEqual(await a.request('all', 'double', 21, 5000), [
    { nodeId: b.nodeId, ok: true, payload: { value: 42, from: a.nodeId } },
  ]);
  t.deepEqual(await a.request(b.nodeId, 'missing', null, 5000), [
    { nodeId: b.nodeId, ok: false, error: 'no handler for "missing"' },
  ]);
  t.deepEqual(await a.request('nobody', 'double', 1, 5000), [{ nodeId: 'nobody', ok: false, error: 'not connected' }]);
});

test('a request settles as soon as the asked peer leaves', async (t) => {
  const [a, b] = await pair(t);
  let asked = false;
  b.handle('never', () => {
    asked = true;
    return new Promise(() => {});
  });
  const started = Date.now();
  const reply = a.request(b.nodeId, 'never', null, 60_000);
  await waitFor(() => asked, 5000, 'handler not called');
  await b.close();
  t.deepEqual(await reply, [{ nodeId: b.nodeId, ok: false, error: 'peer down' }]);
  t.true(Date.now() - started < 5000);
});

test('peer-up comes before the first frame of that peer, even one sent from its own peer-up', async (t) => {
  const port = await freePort();
  const a = await startMesh(t, { port, ...timers });
  const order: string[] = [];
  a.on('peer-up', (nodeId) => order.push(`up ${nodeId}`));
  a.on('broadcast', (topic, _payload, from) => order.push(`${topic} ${from}`));
  const b = await startMesh(t, { port, ...timers });
  b.on('peer-up', (nodeId) => b.sendTo(nodeId, 'snapshot', { state: 1 }));
  await waitFor(() => order.length === 2, 5000, 'no snapshot');
  t.deepEqual(order, [`up ${b.nodeId}`, `snapshot ${b.nodeId}`]);
});

test('close() says BYE: the peer emits peer-down at once, long before the node timeout', async (t) => {
  const [a, b] = await pair(t);
  const down = new Promise<unknown[]>((resolve) => a.once('peer-down', (...args) => resolve(args)));
  const started = Date.now();
  await b.close();
  t.deepEqual(await down, [b.nodeId, 'bye']);
  t.true(Date.now() - started < 2000);
  t.deepEqual(a.peers(), []);
});

test('interest is sent as a snapshot when a route comes up', async (t) => {
  const port = await freePort();
  const a = await startMesh(t, { port, ...timers });
  a.subscribe('x');
  a.subscribe('y');
  const b = await startMesh(t, { port, ...timers });
  await waitForPeers([a, b]);
  await waitForInterest(b, a, 2);
  t.is(b.stats().peers[0]?.framesInByType.SUB, 1, 'one SUB frame carries the whole snapshot');
});

test('nodes without a rendezvous port join through seeds and gossip', async (t) => {
  const a = await startMesh(t, { port: 0, ...timers });
  const b = await startMesh(t, { port: 0, seeds: [a.stats().address], ...timers });
  const c = await startMesh(t, { port: 0, seeds: [b.stats().address], ...timers });
  await waitForPeers([a, b, c]);
  t.is(a.stats().rendezvous, null);
});

test('a node that dials two strangers at once introduces them to each other', async (t) => {
  const a = await startMesh(t, { port: 0, ...timers });
  const c = await startMesh(t, { port: 0, ...timers });
  const b = await startMesh(t, { port: 0, seeds: [a.stats().address, c.stats().address], ...timers });
  await waitForPeers([a, b, c]);
  t.pass();
});

test('a node that dials itself (its own address among the seeds) notices and stops dialling it', async (t) => {
  const port = await freePort();
  const debug: string[] = [];
  const logger = { info() {}, warn() {}, error() {}, debug: (message: string) => debug.push(message) };
  const solo = await startMesh(t, { port, seeds: [`127.0.0.1:${port}`], logger, ...timers });
  await waitFor(() => debug.some((line) => line.includes('answers with this node')), 5000, 'self-dial not detected');
  t.deepEqual(solo.peers(), []);
  await waitFor(() => solo.stats().routes === 0, 5000, 'self-dial route not closed');
  t.is(solo.stats().totals.framesOutByType.HELLO, 2, 'one dial only: no redial of itself');
});

test('two meshes on different ports never meet', async (t) => {
  const [p1, p2] = [await freePort(), await freePort()];
  const a1 = await startMesh(t, { port: p1, ...timers });
  const b1 = await startMesh(t, { port: p1, ...timers });
  const a2 = await startMesh(t, { port: p2, ...timers });
  const b2 = await startMesh(t, { port: p2, ...timers });
  await waitForPeers([a1, b1]);
  await waitForPeers([a2, b2]);
  t.deepEqual(a1.peers(), [b1.nodeId]);
  t.deepEqual(a2.peers(), [b2.nodeId]);
});

test('a node of another cluster name is refused with a logged reason', async (t) => {
  const port = await freePort();
  const warnings: string[] = [];
  const logger = {
    debug() {},
    info() {},
    error() {},
    warn: (message: string, fields?: object) => warnings.push(`${message} ${JSON.stringify(fields)}`),
  };
  const a = await startMesh(t, { port, clusterName: 'one', logger, ...timers });
  const b = await startMesh(t, { port, clusterName: 'two', ...timers });
  await waitFor(() => a.stats().refusedRoutes > 0, 5000, 'route not refused');
  t.deepEqual(a.peers(), []);
  t.deepEqual(b.peers(), []);
  t.true(
    warnings.some((line) => line.includes('cluster name \\"two\\" is not \\"one\\"')),
    warnings.join('\n'),
  );
});

test('a secretless node on loopback does not warn', async (t) => {
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => warnings.push(message) };
  await startMesh(t, { port: 0, logger, ...timers });
  t.deepEqual(warnings, []);
});

test('a payload over maxFrameBytes is refused at the sender, and the route stays up', async (t) => {
  const port = await freePort();
  const a = await startMesh(t, { port, maxFrameBytes: 1024, ...timers });
  const b = await startMesh(t, { port, maxFrameBytes: 1024, ...timers });
  await waitForPeers([a, b]);
  b.subscribe('big');
  await waitForInterest(a, b, 1);
  t.throws(() => a.publish('big', 'x'.repeat(2000)), { instanceOf: RangeError, message: /maxFrameBytes/ });
  t.throws(() => a.broadcast('big', 'x'.repeat(2000)), { instanceOf: RangeError });
  const got: unknown[] = [];
  b.on('message', (_subject, payload) => got.push(payload));
  a.publish('big', 'small');
  await waitFor(() => got.length === 1, 5000, 'the route did not survive');
  t.deepEqual(a.peers(), [b.nodeId]);
});
