import test from 'ava';
import { Histogram, mergeHistograms } from '../src/util/histogram.js';

test('percentiles are within the bucket error, and merging equals recording everything in one', (t) => {
  const one = new Histogram();
  const parts = [new Histogram(), new Histogram()];
  for (let ms = 1; ms <= 1000; ms++) {
    one.recordMs(ms);
    parts[ms % 2]?.recordMs(ms);
  }
  const merged = mergeHistograms(parts.map((part) => part.toData()));
  for (const p of [50, 95, 99]) {
    const value = one.percentileMs(p) ?? Number.NaN;
    t.true(Math.abs(value - p * 10) / (p * 10) < 0.02, `p${p} = ${value}`);
    t.is(merged.percentileMs(p), value);
  }
  t.is(one.maxMs(), 1000);
  t.is(merged.total, 1000);
});

test('an empty histogram has no percentiles; negative samples are counted and clamped', (t) => {
  const h = new Histogram();
  t.is(h.percentileMs(50), null);
  h.recordMs(-3);
  t.is(h.negative(), 1);
  t.is(h.percentileMs(50), 0);
});
