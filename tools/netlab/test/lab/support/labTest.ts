import test, { type ExecutionContext } from 'ava';
import { Lab } from '../../../src/Lab.js';
import type { LossCount } from '../../../src/loss.js';
import { formatTable, type ScenarioRow } from '../../../src/report.js';

/** Set to `1` where the lab must run (CI as root): a skip then fails instead. */
export const REQUIRE_NETLAB_ENV = 'MESHPUSH_REQUIRE_NETLAB';

const unavailable = Lab.unavailableReason();
const rows: ScenarioRow[] = [];
const loads: Array<{ scenario: string; loss: LossCount }> = [];

/** Records a scenario's load for row 5, which sums the loads of every scenario that ran one. */
export function recordLoad(scenario: string, loss: LossCount): void {
  loads.push({ scenario, loss });
}

function loadRow(): ScenarioRow {
  const parts = loads.map(
    ({ scenario, loss }) =>
      `${scenario.split(' ')[0]}: ${loss.ratePerSec}/s, lost ${loss.lost} of ${loss.expected}, duplicates ${loss.duplicates}`,
  );
  return {
    scenario: '5 under load (during 2–4b and 6)',
    expectation:
      '500 events/s from the client host through every node: 0 lost to subscribers on nodes that stayed reachable from the publishing node, 0 duplicates',
    measured: parts.join('; '),
    passed: loads.every(({ loss }) => loss.lost === 0 && loss.duplicates === 0),
  };
}

if (unavailable !== undefined) {
  const verdict = process.env[REQUIRE_NETLAB_ENV] === '1' ? `failing (${REQUIRE_NETLAB_ENV}=1)` : 'skipped';
  process.stdout.write(`netlab ${verdict}: ${unavailable}\n`);
}

test.after.always(() => {
  if (rows.length === 0) return;
  const table = loads.length > 0 ? [...rows, loadRow()] : rows;
  process.stdout.write(`\nnetlab results\n${formatTable(table)}\n\n`);
});

/** What a scenario reports in its table row, filled in as it measures. */
export type Measured = string[];

/**
 * Declares one lab scenario: run serially when the lab can run here, skipped with the reason when
 * it cannot, and failed instead of skipped when {@link REQUIRE_NETLAB_ENV} is `1`. Scenarios throw
 * (node:assert) on a broken expectation, so their table row says pass or FAIL with what was measured.
 */
export function labScenario(
  title: string,
  expectation: string,
  run: (t: ExecutionContext, measured: Measured) => Promise<void>,
): void {
  if (unavailable !== undefined) {
    if (process.env[REQUIRE_NETLAB_ENV] === '1') test.serial(title, (t) => t.fail(`netlab cannot run: ${unavailable}`));
    else test.serial.skip(title, () => undefined);
    return;
  }
  test.serial(title, async (t) => {
    const measured: Measured = [];
    try {
      await run(t, measured);
      rows.push({ scenario: title, expectation, measured: measured.join('; '), passed: true });
      t.pass();
    } catch (error) {
      rows.push({
        scenario: title,
        expectation,
        measured: [...measured, `failed: ${(error as Error).message.split('\n')[0]}`].join('; '),
        passed: false,
      });
      throw error;
    }
  });
}
