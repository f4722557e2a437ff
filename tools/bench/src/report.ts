import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, renderTable } from '@meshpush/dev-cluster';
import type { BenchRecord } from './record.js';

/** `bench-results/<time>-<quick|full>.jsonl` at the repository root (git-ignored). */
export function resultsFile(quick: boolean, startedAt = new Date()): string {
  const dir = join(REPO_ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/[:.]/g, '-')
    .replace(/-\d+Z$/, 'Z');
  return join(dir, `${stamp}-${quick ? 'quick' : 'full'}.jsonl`);
}

export function appendRecord(file: string, record: BenchRecord): void {
  appendFileSync(file, JSON.stringify(record) + '\n');
}

const fmt = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined
    ? '-'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The headline figure of each scenario. */
function headline(r: BenchRecord): string {
  switch (r.scenario) {
    case 'connect':
      return `${fmt(r.connectionsPerSec)} conn/s, ${fmt(r.rssPerConnectionKb, 1)} KB/conn`;
    case 'fanout':
    case 'fanout-max':
      return `${fmt(r.deliveriesPerSec)} dlv/s`;
    case 'throughput':
      return `${fmt(r.publishesPerSec)} pub/s, ${fmt(r.deliveriesPerSec)} dlv/s`;
    case 'presence':
      return `join ${fmt(r.joinMs)} ms, converged ${r.convergedRuns ?? 0}/${r.runs ?? 0}`;
    case 'scale':
      return `formed ${fmt(r.formationMs)} ms, idle ${fmt(r.idleCpuPctPerNode, 2)} %/node`;
    case 'sizing':
      return `KB: conn ${fmt(r.rssPerConnectionKb, 1)}, sub ${fmt(r.rssPerSubscriptionKb, 2)} (replica ${fmt(r.replicaKbPerSubscription, 2)}), member ${fmt(r.rssPerPresenceMemberKb, 2)} (replica ${fmt(r.replicaKbPerPresenceMember, 2)})`;
  }
}

function versus(r: BenchRecord): string {
  const v = r.vsBaseline;
  if (v === null) return '-';
  const rate = r.scenario === 'throughput' ? v.publishesPerSec : v.deliveriesPerSec;
  return `${fmt(rate, 2)}× rate, ${fmt(v.cpuPerDelivery, 2)}× cpu`;
}

export function humanTable(records: readonly BenchRecord[]): string {
  const header = [
    'scenario',
    'variant',
    'n',
    'result',
    'lost',
    'p50 ms',
    'p99 ms',
    'srv µs/dlv',
    'vs uWS',
    'gen cpu',
    'errors',
  ];
  const rows = records.map((r) => [
    r.scenario,
    r.variant,
    String(r.nodes),
    headline(r),
    fmt(r.lost),
    fmt(r.scenario === 'connect' ? r.handshakeP50Ms : r.latencyP50Ms, 2),
    fmt(r.scenario === 'connect' ? r.handshakeP99Ms : r.latencyP99Ms, 2),
    fmt(r.serverCpuUsPerDelivery, 2),
    versus(r),
    r.loadGenCpuPct === null ? '-' : `${r.loadGenCpuPct}%`,
    String(r.errors.length),
  ]);
  return renderTable([header, ...rows]);
}

export function targetLines(records: readonly BenchRecord[]): string[] {
  return records.flatMap((r) =>
    r.targets.map((check) => {
      const mark = check.met === null ? '?' : check.met ? 'met   ' : 'MISSED';
      return `${mark}  ${check.target}: ${check.value ?? 'n/a'} (target ${check.limit})`;
    }),
  );
}

export function errorLines(records: readonly BenchRecord[]): string[] {
  return records.flatMap((r) => r.errors.map((error) => `${r.variant}/${r.scenario}: ${error}`));
}

/**
 * The multi-node setups side by side (mesh, brokers, mesh TLS): fan-out through node 0 to
 * subscribers on every node, with the latency of those on other nodes, and presence convergence.
 * Empty when the run had no multi-node fan-out.
 */
export function clusterTable(records: readonly BenchRecord[]): string {
  const fanouts = records.filter((r) => r.nodes > 1 && r.scenario === 'fanout');
  if (fanouts.length === 0) return '';
  const header = [
    'variant',
    'delivered/expected',
    'lost',
    'same-node p99',
    'cross-node p50',
    'cross-node p99',
    'mesh frames',
    'presence',
  ];
  const rows = fanouts.map((r) => {
    const presence = records.find((p) => p.variant === r.variant && p.scenario === 'presence');
    const frames =
      r.meshPubFramesExpected === null ? '-' : `${fmt(r.meshPubFramesActual)}/${fmt(r.meshPubFramesExpected)}`;
    return [
      r.variant,
      `${fmt(r.delivered)}/${fmt(r.expected)}`,
      fmt(r.lost),
      fmt(r.sameNodeP99Ms, 2),
      fmt(r.crossNodeP50Ms, 2),
      fmt(r.crossNodeP99Ms, 2),
      frames,
      presence === undefined
        ? '-'
        : `converged ${presence.convergedRuns ?? 0}/${presence.runs ?? 0}, ${fmt(presence.convergeMs)} ms`,
    ];
  });
  return renderTable([header, ...rows]);
}

/** The scale scenario, one row per cluster size. Empty when the run had none. */
export function scaleTable(records: readonly BenchRecord[]): string {
  const rows = records.filter((r) => r.scenario === 'scale');
  if (rows.length === 0) return '';
  const header = [
    'nodes',
    'start→ready ms',
    'formation ms',
    'idle cpu %/node (max)',
    'frames/s/route',
    'RSS MB/node',
    'event: delivered',
    'p50/p99 ms',
    'presence',
  ];
  const body = rows.map((r) => [
    String(r.nodes),
    fmt(r.startToReadyMs),
    fmt(r.formationMs),
    `${fmt(r.idleCpuPctPerNode, 2)} (${fmt(r.idleCpuPctMaxNode, 2)})`,
    fmt(r.idleFramesPerRoutePerSec, 2),
    fmt(r.rssPerNodeMb, 1),
    `${fmt(r.delivered)}/${fmt(r.expected)}`,
    `${fmt(r.latencyP50Ms, 1)}/${fmt(r.latencyP99Ms, 1)}`,
    r.convergeMs === null
      ? `not converged (${fmt(r.convergedClients)} clients)`
      : `${r.runs ?? 0} run, ${fmt(r.convergeMs)} ms`,
  ]);
  return renderTable([header, ...body]);
}
