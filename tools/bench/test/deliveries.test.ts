import test from 'ava';
import { benchData, BENCH_FRAME_MARK, Deliveries, readBenchFrame, SeenSequences } from '../src/load/deliveries.js';

/** The frame a server sends for a bench event: `data` is a JSON string inside the JSON frame. */
function frame(phase: number, sequence: number): string {
  return JSON.stringify({ event: 'bench', channel: 'c', data: benchData(phase, sequence) });
}

test('a server frame of a bench event is recognised and read without parsing', (t) => {
  const text = frame(7, 42);
  t.true(text.includes(BENCH_FRAME_MARK));
  const read = readBenchFrame(text);
  t.is(read.phase, 7);
  t.is(read.sequence, 42);
  t.true(Math.abs(read.sentAtMs - (performance.timeOrigin + performance.now())) < 1000);
});

test('SeenSequences reports a repeat within a phase, forgets on a new phase, and grows', (t) => {
  const seen = new SeenSequences();
  t.true(seen.add(1, 5));
  t.false(seen.add(1, 5));
  t.true(seen.add(1, 100_000));
  t.false(seen.add(1, 100_000));
  t.true(seen.add(2, 5));
});

test('Deliveries counts only the current phase: stale, duplicate and malformed frames apart', (t) => {
  const deliveries = new Deliveries();
  const a = new SeenSequences();
  const b = new SeenSequences();
  deliveries.begin(1);
  deliveries.record(0, frame(1, 0), a);
  deliveries.begin(2);
  deliveries.record(0, frame(1, 1), a); // a warm-up straggler
  deliveries.record(0, frame(2, 0), a);
  deliveries.record(1, frame(2, 0), b); // same event, another client: a delivery
  deliveries.record(1, frame(2, 0), b); // the same client again: a duplicate
  deliveries.record(1, '{"event":"bench","data":"{}"}', b);
  const report = deliveries.report(2);
  t.is(report.phase, 2);
  t.is(report.delivered, 2);
  t.is(report.stale, 1);
  t.is(report.duplicates, 1);
  t.is(report.malformed, 1);
  t.is(report.byGroup[0]?.total, 1);
  t.is(report.byGroup[1]?.total, 1);
  t.true(report.lastAtMs > 0);
});

test('clients closed by the server are counted by close code, per phase', (t) => {
  const deliveries = new Deliveries();
  deliveries.begin(1);
  deliveries.noteUnexpectedClose(1006);
  deliveries.begin(2);
  deliveries.noteUnexpectedClose(1006);
  deliveries.noteUnexpectedClose(1006);
  deliveries.noteUnexpectedClose(4201);
  t.deepEqual(deliveries.report(1).unexpectedCloses, { 1006: 2, 4201: 1 });
});
