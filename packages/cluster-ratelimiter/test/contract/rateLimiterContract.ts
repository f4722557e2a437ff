import type { TestFn } from 'ava';
import type { RateLimiter } from '../../src/index.js';

/** A fake clock shared by a limiter and its test. */
export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
}

export function fakeClock(startMs = 1_000_000): FakeClock {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms) => (nowMs += ms) };
}

/** Builds a limiter on its own (no peers) with the given clock and burst. */
export type MakeLimiter = (clock: FakeClock, burstSeconds?: number) => RateLimiter | Promise<RateLimiter>;

/**
 * What every RateLimiter must do when it is alone: the behaviour a single process sees. The
 * cluster limiter with no peers must be indistinguishable from the local one.
 */
export function rateLimiterContract(test: TestFn, name: string, make: MakeLimiter): void {
  const setup = async (burstSeconds?: number) => {
    const clock = fakeClock();
    const limiter = await make(clock, burstSeconds);
    return { clock, limiter };
  };

  test(`${name}: a burst of one second's worth passes at once, then the rate applies`, async (t) => {
    const { clock, limiter } = await setup();
    t.teardown(() => limiter.close());
    for (let i = 0; i < 10; i++) t.true(limiter.consume('k', 1, 10).allowed, `event ${i}`);
    const refused = limiter.consume('k', 1, 10);
    t.false(refused.allowed);
    t.is(refused.remaining, 0);
    t.is(refused.retryAfterMs, 100);
    clock.advance(100);
    const next = limiter.consume('k', 1, 10);
    t.deepEqual(next, { allowed: true, remaining: 0, retryAfterMs: 0 });
  });

  test(`${name}: over a long run the admitted rate is the limit plus one burst`, async (t) => {
    const { clock, limiter } = await setup();
    t.teardown(() => limiter.close());
    let admitted = 0;
    for (let ms = 0; ms < 10_000; ms += 2) {
      if (limiter.consume('k', 1, 50).allowed) admitted++;
      clock.advance(2);
    }
    t.true(admitted >= 549 && admitted <= 551, `admitted ${admitted}`);
  });

  test(`${name}: points > 1 and remaining`, async (t) => {
    const { clock, limiter } = await setup();
    t.teardown(() => limiter.close());
    t.deepEqual(limiter.consume('k', 4, 10), { allowed: true, remaining: 6, retryAfterMs: 0 });
    t.deepEqual(limiter.consume('k', 5, 10), { allowed: true, remaining: 1, retryAfterMs: 0 });
    const refused = limiter.consume('k', 3, 10);
    t.false(refused.allowed);
    t.is(refused.retryAfterMs, 200);
    t.is(refused.remaining, 1, 'a refusal takes nothing');
    clock.advance(200);
    t.true(limiter.consume('k', 3, 10).allowed);
  });

  test(`${name}: a request bigger than one second's budget waits for enough tokens`, async (t) => {
    const { clock, limiter } = await setup();
    t.teardown(() => limiter.close());
    t.true(limiter.consume('k', 10, 5).allowed, 'a fresh bucket holds the largest request');
    const refused = limiter.consume('k', 10, 5);
    t.false(refused.allowed);
    t.is(refused.retryAfterMs, 2000);
    clock.advance(2000);
    t.true(limiter.consume('k', 10, 5).allowed);
  });

  test(`${name}: fractional rates`, async (t) => {
    const { clock, limiter } = await setup();
    t.teardown(() => limiter.close());
    t.true(limiter.consume('k', 1, 0.5).allowed);
    t.false(limiter.consume('k', 1, 0.5).allowed);
    clock.advance(1999);
    t.false(limiter.consume('k', 1, 0.5).allowed);
    clock.advance(1);
    t.true(limiter.consume('k', 1, 0.5).allowed);
  });

  test(`${name}: burstSeconds sizes the burst`, async (t) => {
    const { limiter } = await setup(3);
    t.teardown(() => limiter.close());
    let admitted = 0;
    while (limiter.consume('k', 1, 10).allowed) admitted++;
    t.is(admitted, 30);
  });

  test(`${name}: keys are independent; -1 and Infinity are unlimited; 0 refuses all`, async (t) => {
    const { limiter } = await setup();
    t.teardown(() => limiter.close());
    t.true(limiter.consume('a', 1, 1).allowed);
    t.false(limiter.consume('a', 1, 1).allowed);
    t.true(limiter.consume('b', 1, 1).allowed);
    for (let i = 0; i < 1000; i++) t.true(limiter.consume('c', 5, -1).allowed);
    t.is(limiter.consume('c', 1, Infinity).remaining, Infinity);
    const zero = limiter.consume('d', 1, 0);
    t.false(zero.allowed);
    t.is(zero.retryAfterMs, Infinity);
    t.true(limiter.consume('e', 0, 1).allowed, '0 points always pass');
  });

  test(`${name}: a changed limit applies at once`, async (t) => {
    const { clock, limiter } = await setup();
    t.teardown(() => limiter.close());
    while (limiter.consume('k', 1, 10).allowed);
    clock.advance(100);
    t.true(limiter.consume('k', 1, 100).allowed, 'the 100 ms before the change accrued at 10/s: one token');
    t.false(limiter.consume('k', 1, 100).allowed);
    clock.advance(10);
    t.true(limiter.consume('k', 1, 100).allowed, '10 ms at 100/s is one token');
    t.false(limiter.consume('k', 1, 100).allowed);
  });

  test(`${name}: bad points throw RangeError`, async (t) => {
    const { limiter } = await setup();
    t.teardown(() => limiter.close());
    t.throws(() => limiter.consume('k', -1, 10), { instanceOf: RangeError });
    t.throws(() => limiter.consume('k', Number.NaN, 10), { instanceOf: RangeError });
    t.throws(() => limiter.consume('k', 1, Number.NaN), { instanceOf: RangeError });
  });
}
