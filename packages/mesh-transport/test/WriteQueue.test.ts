import test from 'ava';
import { WriteQueue } from '../src/WriteQueue.js';

test('frames come out length-prefixed, in order, across chunk boundaries', (t) => {
  const queue = new WriteQueue();
  const bodies = Array.from({ length: 3000 }, (_, i) => Buffer.alloc(1 + (i % 200), i % 251));
  bodies.push(Buffer.alloc(200_000, 7));
  for (const body of bodies) queue.append(body);
  const expectedBytes = bodies.reduce((sum, body) => sum + 4 + body.length, 0);
  t.is(queue.bytes, expectedBytes);
  const out = Buffer.concat(queue.take());
  t.is(out.length, expectedBytes);
  t.is(queue.bytes, 0);
  let offset = 0;
  for (const body of bodies) {
    const length = out.readUInt32BE(offset);
    t.is(length, body.length);
    if (!out.subarray(offset + 4, offset + 4 + length).equals(body)) t.fail(`body at ${offset} differs`);
    offset += 4 + length;
  }
});

test('bytes already taken are never overwritten by later appends', (t) => {
  const queue = new WriteQueue();
  queue.append(Buffer.from('first'));
  const [taken] = queue.take();
  const copy = Buffer.from(taken!);
  queue.append(Buffer.from('second'));
  queue.take();
  t.deepEqual(taken, copy);
  t.deepEqual(queue.take(), []);
});
