import test from 'ava';
import { beatIntervalFor } from '../src/liveness/beatInterval.js';
import { Heartbeat, type HeartbeatTimers } from '../src/liveness/Heartbeat.js';
import { Liveness } from '../src/liveness/Liveness.js';
import { delayToNextBoundary } from '../src/liveness/alignedTimers.js';
import { NO_ECHO, PingEcho } from '../src/liveness/PingEcho.js';

/** A hand-driven clock and timers: an interval fires when the test advances past it. */
class FakeTime implements HeartbeatTimers {
  now = 0;
  readonly #intervals = new Map<number, { callback: () => void; ms: number; next: number }>();
  readonly #immediates: Array<() => void> = [];
  #nextHandle = 1;

  setInterval(callback: () => void, ms: number): unknown {
    const handle = this.#nextHandle++;
    this.#intervals.set(handle, { callback, ms, next: this.now + ms });
    return handle;
  }

  clearInterval(handle: unknown): void {
    this.#intervals.delete(handle as number);
  }

  setImmediate(callback: () => void): void {
    this.#immediates.push(callback);
  }

  /** Moves the clock, firing due intervals in order, each followed by the immediates it queued. */
  advance(ms: number, between?: () => void): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.#intervals.values()].filter((i) => i.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      // An overdue interval fires once, late, as Node's does after a stall; it never moves time back.
      this.now = Math.max(this.now, due.next);
      due.next = this.now + due.ms;
      due.callback();
      // What arrives between a beat and its check (the poll phase) is counted before the verdict.
      between?.();
      for (const immediate of this.#immediates.splice(0)) immediate();
    }
    this.now = end;
  }
}

test('Liveness: a peer is dead only after more than the node timeout of silence; any input resets it', (t) => {
  const time = new FakeTime();
  const liveness = new Liveness<string>({ nodeTimeoutMs: 1000, now: () => time.now });
  const dead: Array<[string, number]> = [];
  liveness.heard('a');
  liveness.heard('b');
  time.now = 600;
  liveness.heard('a');
  time.now = 1000;
  liveness.sweep((peer, silentMs) => dead.push([peer, silentMs]));
  t.deepEqual(dead, [], 'exactly the timeout is not yet dead');
  t.is(liveness.silentMs('b'), 1000);
  time.now = 1001;
  liveness.sweep((peer, silentMs) => dead.push([peer, silentMs]));
  t.deepEqual(dead, [['b', 1001]]);
  t.is(liveness.silentMs('b'), 0, 'a dead peer is forgotten');
  time.now = 1601;
  liveness.sweep((peer, silentMs) => dead.push([peer, silentMs]));
  t.deepEqual(dead, [
    ['b', 1001],
    ['a', 1001],
  ]);
});

test('Liveness: a forgotten peer is never declared dead', (t) => {
  const time = new FakeTime();
  const liveness = new Liveness<string>({ nodeTimeoutMs: 100, now: () => time.now });
  liveness.heard('gone');
  liveness.forget('gone');
  time.now = 10_000;
  const dead: string[] = [];
  liveness.sweep((peer) => dead.push(peer));
  t.deepEqual(dead, []);
});

test('Heartbeat: beats every interval and judges after the input that arrived meanwhile', (t) => {
  const time = new FakeTime();
  const log: string[] = [];
  const heartbeat = new Heartbeat({
    intervalMs: 500,
    beat: () => log.push(`beat@${time.now}`),
    check: () => log.push(`check@${time.now}`),
    timers: time,
  });
  heartbeat.start();
  heartbeat.start();
  time.advance(1000, () => log.push('input'));
  t.deepEqual(log, ['beat@500', 'input', 'check@500', 'beat@1000', 'input', 'check@1000']);
  heartbeat.stop();
  time.advance(5000);
  t.is(log.length, 6, 'nothing after stop');
  t.false(heartbeat.running);
});

test("beatIntervalFor: the largest multiple of the check interval within half the peer's node timeout", (t) => {
  t.is(beatIntervalFor(500, 2000), 1000, "soketi's defaults: a quiet link beats once a second");
  t.is(beatIntervalFor(500, 2400), 1000);
  t.is(beatIntervalFor(100, 1000), 500);
  t.is(beatIntervalFor(500, 900), 500, 'never less than one check interval');
  t.is(beatIntervalFor(1000, 5000), 2000);
});

test('Heartbeat + Liveness: a dead peer is detected within the node timeout plus one interval', (t) => {
  const time = new FakeTime();
  const intervalMs = 500;
  const nodeTimeoutMs = 2000;
  const liveness = new Liveness<string>({ nodeTimeoutMs, now: () => time.now });
  let detectedAt: number | undefined;
  const heartbeat = new Heartbeat({
    intervalMs,
    beat: () => undefined,
    check: () => liveness.sweep(() => (detectedAt ??= time.now)),
    timers: time,
  });
  heartbeat.start();
  liveness.heard('peer');
  time.advance(1234, () => liveness.heard('peer'));
  const lastHeard = time.now - (time.now % intervalMs);
  time.advance(10_000);
  t.truthy(detectedAt);
  t.true((detectedAt ?? 0) - lastHeard > nodeTimeoutMs);
  t.true((detectedAt ?? Infinity) - lastHeard <= nodeTimeoutMs + intervalMs);
});

test('Heartbeat: a paused process is not blamed on its peers (their input is read before the check)', (t) => {
  const time = new FakeTime();
  const liveness = new Liveness<string>({ nodeTimeoutMs: 1000, now: () => time.now });
  const dead: string[] = [];
  const heartbeat = new Heartbeat({
    intervalMs: 100,
    beat: () => undefined,
    check: () => liveness.sweep((peer) => dead.push(peer)),
    timers: time,
  });
  liveness.heard('peer');
  heartbeat.start();
  // This process stalls for 5 s; the peer kept sending, which is read before the first check.
  time.now += 5000;
  time.advance(100, () => liveness.heard('peer'));
  t.deepEqual(dead, []);
});

test('PingEcho: the round trip comes from one PING each way, whatever the two clocks read', (t) => {
  const time = { a: 1000, b: 777_000 };
  const a = new PingEcho(() => time.a);
  const b = new PingEcho(() => time.b);
  const first = a.outgoing();
  t.deepEqual(first, [1000, NO_ECHO, 0]);
  time.a += 3;
  time.b += 3;
  t.true(b.incoming(...first), 'a PING without an echo is answered at once');
  time.b += 10;
  time.a += 10;
  const answer = b.outgoing();
  t.deepEqual(answer, [777_013, 1000, 10]);
  time.a += 4;
  t.false(a.incoming(...answer));
  t.is(a.rttMs, 7, '3 ms out, 4 ms back; the 10 ms b held the echo do not count');
  t.is(b.rttMs, undefined, 'b has no sample until a echoes one of its PINGs');
  t.false(a.incoming(5, 999_999, 0), 'an echo of a clock never sent is ignored');
  t.is(a.rttMs, 7);
});

test('aligned heartbeat: beats fall on multiples of the interval, and a beat just served is not doubled', (t) => {
  t.is(delayToNextBoundary(10_000, 500), 500, 'on a boundary: the next one');
  t.is(delayToNextBoundary(10_130, 500), 370);
  t.is(
    delayToNextBoundary(10_499, 500),
    501,
    'a timer a hair early serves this boundary; the next is a whole interval on',
  );
  t.is(delayToNextBoundary(10_380, 500), 120);
});
