import test from 'ava';
import { Requests } from '../src/Requests.js';

test('collects one reply per target, in target order', async (t) => {
  const requests = new Requests();
  const sent: [string, number][] = [];
  const done = requests.start(['a', 'b'], 5000, (nodeId, id) => (sent.push([nodeId, id]), true));
  const id = sent[0]![1];
  requests.onReply('b', id, true, 'from b');
  requests.onReply('a', id, false, 'boom');
  t.deepEqual(await done, [
    { nodeId: 'a', ok: false, error: 'boom' },
    { nodeId: 'b', ok: true, payload: 'from b' },
  ]);
});

test('a peer going down settles its part at once, without waiting for the timeout', async (t) => {
  const requests = new Requests();
  const started = Date.now();
  const done = requests.start(['a'], 60_000, () => true);
  requests.onPeerDown('a');
  t.deepEqual(await done, [{ nodeId: 'a', ok: false, error: 'peer down' }]);
  t.true(Date.now() - started < 1000);
});

test('missing replies become timeouts', async (t) => {
  const requests = new Requests();
  const done = requests.start(['a', 'b'], 30, (nodeId, id) => {
    if (nodeId === 'a') queueMicrotask(() => requests.onReply('a', id, true, 1));
    return true;
  });
  t.deepEqual(await done, [
    { nodeId: 'a', ok: true, payload: 1 },
    { nodeId: 'b', ok: false, error: 'timeout' },
  ]);
});

test('an unreachable target fails at once; no targets resolve to no replies', async (t) => {
  const requests = new Requests();
  t.deepEqual(await requests.start(['x'], 60_000, () => false), [{ nodeId: 'x', ok: false, error: 'not connected' }]);
  t.deepEqual(await requests.start([], 60_000, () => true), []);
});

test('late, duplicate and unknown replies are ignored; closeAll settles everything', async (t) => {
  const requests = new Requests();
  let requestId = 0;
  const done = requests.start(['a', 'b'], 60_000, (_nodeId, id) => ((requestId = id), true));
  requests.onReply('a', requestId, true, 1);
  requests.onReply('a', requestId, true, 2);
  requests.onReply('zzz', requestId, true, 3);
  requests.onReply('b', requestId + 100, true, 4);
  requests.closeAll();
  t.deepEqual(await done, [
    { nodeId: 'a', ok: true, payload: 1 },
    { nodeId: 'b', ok: false, error: 'closed' },
  ]);
});

test('handlers answer with their value, their error, or a missing-handler error', async (t) => {
  const requests = new Requests();
  const remove = requests.handle('sum', (payload) => (payload as number[]).reduce((a, b) => a + b, 0));
  requests.handle('fail', async () => {
    throw new Error('nope');
  });
  t.deepEqual(await requests.answer('sum', [1, 2, 3], 'peer'), [true, 6]);
  t.deepEqual(await requests.answer('fail', null, 'peer'), [false, 'nope']);
  t.throws(() => requests.handle('sum', () => 0), { message: /already registered/ });
  remove();
  t.deepEqual(await requests.answer('sum', [1], 'peer'), [false, 'no handler for "sum"']);
});
