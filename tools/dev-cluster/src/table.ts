import type { ClusterStatus } from './status.js';

/** What the mesh table shows about one node. */
export interface NodeRow {
  readonly name: string;
  readonly pid: number;
  readonly wsPort: number;
  readonly metricsPort: number;
  readonly nodeId: string;
}

const HEADER = ['node', 'pid', 'ws port', 'metrics', 'node id', 'peers', 'RTT to peers (ms)'] as const;

/** A plain-text table: one row per node, peers named as their `node-N` names. */
export function meshTable(rows: readonly NodeRow[], statuses: ReadonlyMap<string, ClusterStatus>): string {
  const nameOf = new Map(rows.map((row) => [row.nodeId, row.name]));
  const cells = rows.map((row) => {
    const peers = statuses.get(row.nodeId)?.transport?.peers ?? [];
    const rtts = peers
      .map((peer) => ({ name: nameOf.get(peer.nodeId) ?? peer.nodeId, rtt: peer.rttMs }))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(({ name, rtt }) => `${name} ${rtt === null ? '?' : rtt.toFixed(2)}`);
    return [
      row.name,
      String(row.pid),
      String(row.wsPort),
      String(row.metricsPort),
      row.nodeId,
      `${peers.length}/${rows.length - 1}`,
      rtts.join(', ') || '-',
    ];
  });
  return renderTable([[...HEADER], ...cells]);
}

/** Left-aligned columns separated by two spaces, with a rule under the header. */
export function renderTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}
