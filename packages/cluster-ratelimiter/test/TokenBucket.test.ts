import test from 'ava';
import { TokenBucket } from '../src/TokenBucket.js';

test('a new bucket is full: a burst of its capacity passes, the next point does not', (t) => {
  const bucket = new TokenBucket(10, 10, 0);
  for (let i = 0; i < 10; i++) t.true(bucket.take(1, 0), `point ${i}`);
  t.false(bucket.take(1, 0));
  t.is(bucket.remainingAt(0), 0);
});

test('refill is continuous and stops at capacity', (t) => {
  const bucket = new TokenBucket(10, 10, 0);
  t.true(bucket.take(10, 0));
  t.false(bucket.take(1, 99));
  t.true(bucket.take(1, 100));
  t.is(bucket.tokensAt(350), 2.5);
  t.is(bucket.tokensAt(60_000), 10);
});

test('points > 1 need that many tokens, and msUntil says when', (t) => {
  const bucket = new TokenBucket(5, 2, 0);
  t.true(bucket.take(4, 0));
  t.false(bucket.take(3, 0));
  t.is(bucket.msUntil(3, 0), 1000);
  t.false(bucket.take(3, 999));
  t.true(bucket.take(3, 1000));
  t.is(bucket.msUntil(6, 1000), Infinity, 'more than the capacity never fits');
});

test('fractional rates refill exactly on time despite float error', (t) => {
  const bucket = new TokenBucket(1, 0.1, 0);
  t.true(bucket.take(1, 0));
  let now = 0;
  // Ten steps of 1 s at 0.1/s: the float sum is 0.9999999999999999.
  for (let i = 0; i < 9; i++) {
    now += 1000;
    t.false(bucket.take(1, now));
  }
  now += 1000;
  t.true(bucket.take(1, now), 'one token after 10 s');
  const third = new TokenBucket(1, 1 / 3, 0);
  t.true(third.take(1, 0));
  t.false(third.take(1, 2999));
  t.true(third.take(1, 3000));
});

test('reshape: what accrued used the old rate, a smaller capacity clips, a larger adds nothing', (t) => {
  const bucket = new TokenBucket(10, 10, 0);
  t.true(bucket.take(10, 0));
  bucket.reshape(10, 100, 500); // 5 tokens accrued at 10/s
  t.is(bucket.tokensAt(500), 5);
  t.is(bucket.tokensAt(520), 7);
  bucket.reshape(3, 100, 520);
  t.is(bucket.tokensAt(520), 3);
  bucket.reshape(50, 100, 520);
  t.is(bucket.tokensAt(520), 3);
  t.is(bucket.tokensAt(1000), 50);
});

test('a clock that goes backwards adds nothing and becomes the new origin', (t) => {
  const bucket = new TokenBucket(10, 10, 1000);
  t.true(bucket.take(10, 1000));
  t.is(bucket.tokensAt(500), 0);
  t.is(bucket.tokensAt(600), 1);
  t.false(bucket.isFullAt(600));
  t.true(bucket.isFullAt(1500));
});

test('a zero rate never refills', (t) => {
  const bucket = new TokenBucket(2, 0, 0);
  t.true(bucket.take(2, 0));
  t.is(bucket.msUntil(1, 0), Infinity);
  t.false(bucket.take(1, 1e9));
});
