import test from 'ava';
import { LocalRateLimiter } from '../src/index.js';
import { fakeClock } from './contract/rateLimiterContract.js';

test('buckets that are full again are forgotten at the next sweep; busy ones are kept', (t) => {
  const clock = fakeClock();
  const limiter = new LocalRateLimiter({ now: clock.now, idleSweepMs: 1000 });
  for (let i = 0; i < 100; i++) limiter.consume(`socket-${i}`, 1, 10);
  t.is(limiter.size, 100);
  clock.advance(1000);
  while (limiter.consume('busy', 1, 1).allowed);
  t.is(limiter.size, 1, 'only the bucket that is not full is left');
  t.false(limiter.consume('busy', 1, 1).allowed, 'forgetting never gives tokens back');
});

test('a forgotten key starts again with a full bucket, as if it had waited', (t) => {
  const clock = fakeClock();
  const limiter = new LocalRateLimiter({ now: clock.now, idleSweepMs: 500 });
  while (limiter.consume('k', 1, 10).allowed);
  clock.advance(1000);
  limiter.consume('other', 1, 10);
  let burst = 0;
  while (limiter.consume('k', 1, 10).allowed) burst++;
  t.is(burst, 10);
});
