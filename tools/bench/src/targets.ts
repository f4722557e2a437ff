import type { BaselineRatios, BenchRecord, TargetCheck } from './record.js';
import { round } from './util/time.js';

/** The targets; all measured in one run on the same machine. */
export const TARGETS = Object.freeze({
  minBaselineRatio: 0.7,
  maxFanoutP99Ms: 10,
  minConnectionsPerSec: 5000,
  maxRssPerConnectionKb: 5,
  maxCrossNodeExtraP99Ms: 2,
  /** Idle CPU per node, % of a core, by cluster size (issue 22). */
  maxIdleCpuPct: { 16: 0.3, 64: 0.5 } as Readonly<Record<number, number>>,
  /** The last process ready → full mesh, at 16 nodes. */
  maxFormationMs16: 2000,
});

function ratio(value: number | null, base: number | null): number | null {
  return value === null || base === null || base === 0 ? null : round(value / base, 3);
}

/**
 * meshpush ÷ the baseline record of the same scenario measured earlier in the run: the TLS
 * baseline for a client-TLS variant, the plain one otherwise.
 */
export function baselineRatios(record: BenchRecord, earlier: readonly BenchRecord[]): BaselineRatios | null {
  if (record.driver === 'uws-baseline') return null;
  const tls = record.tls === 'client' ? 'client' : 'none';
  const base = earlier.find(
    (r) => r.driver === 'uws-baseline' && r.tls === tls && r.scenario === record.scenario && r.errors.length === 0,
  );
  if (base === undefined || record.errors.some((error) => error.startsWith('could not start'))) return null;
  return {
    deliveriesPerSec: ratio(record.deliveriesPerSec, base.deliveriesPerSec),
    publishesPerSec: ratio(record.publishesPerSec, base.publishesPerSec),
    cpuPerDelivery: ratio(record.serverCpuUsPerDelivery, base.serverCpuUsPerDelivery),
  };
}

const atLeast = (target: string, value: number | null, limit: number): TargetCheck => ({
  target,
  value,
  limit: `>= ${limit}`,
  met: value === null ? null : value >= limit,
});

const atMost = (target: string, value: number | null, limit: number): TargetCheck => ({
  target,
  value,
  limit: `<= ${limit}`,
  met: value === null ? null : value <= limit,
});

/**
 * The targets that apply to `record`; earlier records supply the baseline and single-node figures.
 * The issue sets them for plain TCP: a TLS variant is checked only for losses and convergence.
 */
export function checkTargets(record: BenchRecord, earlier: readonly BenchRecord[]): TargetCheck[] {
  if (record.driver === 'uws-baseline') return [];
  if (record.scenario === 'scale') return scaleTargets(record);
  if (record.scenario === 'sizing') return [];
  const checks = record.nodes > 1 ? clusterTargets(record, earlier) : record.tls === 'none' ? localTargets(record) : [];
  if (record.scenario === 'presence')
    checks.push(atLeast(`${record.variant} presence converged in every run`, record.convergedRuns, record.runs ?? 1));
  return checks;
}

function localTargets(record: BenchRecord): TargetCheck[] {
  const { minBaselineRatio, maxFanoutP99Ms, minConnectionsPerSec, maxRssPerConnectionKb } = TARGETS;
  switch (record.scenario) {
    case 'connect':
      return [
        atLeast('connections/s', record.connectionsPerSec, minConnectionsPerSec),
        atMost('RSS KB per idle connection', record.rssPerConnectionKb, maxRssPerConnectionKb),
      ];
    case 'fanout':
      return [
        atMost(
          `fanout p99 ms (${record.ratePerSec} msg/s × ${record.clients} subs)`,
          record.latencyP99Ms,
          maxFanoutP99Ms,
        ),
      ];
    case 'fanout-max':
      return [
        atLeast('fanout deliveries/s ÷ uWS baseline', record.vsBaseline?.deliveriesPerSec ?? null, minBaselineRatio),
      ];
    case 'throughput':
      return [
        atLeast('throughput publishes/s ÷ uWS baseline', record.vsBaseline?.publishesPerSec ?? null, minBaselineRatio),
      ];
    case 'presence':
    case 'scale':
    case 'sizing':
      return [];
  }
}

/** Issue 22: idle cost, formation, and that every size delivers and converges. */
function scaleTargets(record: BenchRecord): TargetCheck[] {
  const n = record.nodes;
  const checks = [
    atMost(`scale ${n}: lost of one event`, record.lost, 0),
    atLeast(`scale ${n}: presence converged`, record.convergedRuns, record.runs ?? 1),
  ];
  const maxIdle = TARGETS.maxIdleCpuPct[n];
  if (maxIdle !== undefined)
    checks.push(atMost(`scale ${n}: idle CPU % of a core per node`, record.idleCpuPctPerNode, maxIdle));
  if (n === 16)
    checks.push(atMost('scale 16: formation ms after the last ready', record.formationMs, TARGETS.maxFormationMs16));
  return checks;
}

function clusterTargets(record: BenchRecord, earlier: readonly BenchRecord[]): TargetCheck[] {
  if (record.scenario === 'presence' || record.scenario === 'connect') return [];
  const checks = [atMost(`${record.variant} ${record.scenario}: lost`, record.lost, 0)];
  if (record.meshPubFramesExpected !== null) {
    const extra = (record.meshPubFramesActual ?? 0) - record.meshPubFramesExpected;
    checks.push(
      atMost(`${record.variant} ${record.scenario}: mesh frames beyond interest (uninterested nodes)`, extra, 0),
    );
  }
  if (record.scenario === 'fanout' && record.variant === 'cluster') {
    const single = earlier.find((r) => r.driver === 'local' && r.scenario === 'fanout');
    const extra =
      record.crossNodeP99Ms === null || single?.latencyP99Ms == null
        ? null
        : round(record.crossNodeP99Ms - single.latencyP99Ms, 3);
    checks.push(atMost('cluster fanout: cross-node p99 − single-node p99 (ms)', extra, TARGETS.maxCrossNodeExtraP99Ms));
  }
  return checks;
}
