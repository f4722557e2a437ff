/** One row of the lab's table. */
export interface ScenarioRow {
  readonly scenario: string;
  readonly expectation: string;
  /** What the run measured (convergence time, lost, duplicates…), or why it failed. */
  readonly measured: string;
  readonly passed: boolean;
}

/** The lab's table as Markdown: one row per scenario, cells with `|` escaped. */
export function formatTable(rows: readonly ScenarioRow[]): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = ['| scenario | expectation | measured | result |', '| --- | --- | --- | --- |'];
  for (const row of rows) {
    lines.push(
      `| ${cell(row.scenario)} | ${cell(row.expectation)} | ${cell(row.measured)} | ${row.passed ? 'pass' : 'FAIL'} |`,
    );
  }
  return lines.join('\n');
}

/** Milliseconds as seconds with one decimal: `1234` → `1.2 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
