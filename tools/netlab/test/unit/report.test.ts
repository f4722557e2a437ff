import test from 'ava';
import { formatTable, seconds } from '../../src/report.js';

test('the table has one row per scenario, escapes pipes and marks failures', (t) => {
  const table = formatTable([
    { scenario: '1 x', expectation: 'a | b', measured: 'ok', passed: true },
    { scenario: '2 y', expectation: 'c', measured: 'failed: line one\nline two', passed: false },
  ]);
  t.is(
    table,
    [
      '| scenario | expectation | measured | result |',
      '| --- | --- | --- | --- |',
      '| 1 x | a \\| b | ok | pass |',
      '| 2 y | c | failed: line one line two | FAIL |',
    ].join('\n'),
  );
  t.is(seconds(1234), '1.2 s');
});
