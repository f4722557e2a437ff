import { variantId, type Driver, type MeshNodeCounters, type TlsMode } from './servers/ServerGroup.js';

export type ScenarioName = 'connect' | 'fanout' | 'fanout-max' | 'throughput' | 'presence' | 'scale' | 'sizing';

/** meshpush's figures divided by the bare uWS baseline's, measured in the same run. */
export interface BaselineRatios {
  /** meshpush deliveries/s ÷ baseline deliveries/s (higher is better; target ≥ 0.7). */
  readonly deliveriesPerSec: number | null;
  /** meshpush accepted publishes/s ÷ baseline (higher is better; target ≥ 0.7). */
  readonly publishesPerSec: number | null;
  /** meshpush server CPU µs per delivery ÷ baseline's (lower is better; 1 = as cheap as bare uWS). */
  readonly cpuPerDelivery: number | null;
}

/**
 * One JSON line per scenario run. Every line has every field, in this order; a field that does
 * not apply to the scenario is null. README.md documents each one.
 */
export interface BenchRecord {
  scenario: ScenarioName;
  /** `driver` plus its TLS suffix: `local`, `local+tls`, `cluster+mesh-tls`, `nats`… */
  variant: string;
  driver: Driver;
  tls: TlsMode;
  nodes: number;
  publishVia: 'one' | 'all' | null;
  clients: number | null;
  channels: number | null;
  messages: number | null;
  ratePerSec: number | null;
  windowMs: number | null;
  connectionsPerSec: number | null;
  handshakeP50Ms: number | null;
  handshakeP99Ms: number | null;
  rssPerConnectionKb: number | null;
  accepted: number | null;
  publishesPerSec: number | null;
  expected: number | null;
  delivered: number | null;
  lost: number | null;
  duplicates: number | null;
  deliveriesPerSec: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  latencyMaxMs: number | null;
  sameNodeP99Ms: number | null;
  crossNodeP50Ms: number | null;
  crossNodeP99Ms: number | null;
  runs: number | null;
  joinMs: number | null;
  convergeMs: number | null;
  convergedRuns: number | null;
  convergedClients: number | null;
  meshPubFramesExpected: number | null;
  meshPubFramesActual: number | null;
  meshPerNode: MeshNodeCounters[] | null;
  startToReadyMs: number | null;
  formationMs: number | null;
  idleCpuPctPerNode: number | null;
  idleCpuPctMaxNode: number | null;
  idleFramesPerRoutePerSec: number | null;
  rssPerNodeMb: number | null;
  rssPerSubscriptionKb: number | null;
  replicaKbPerSubscription: number | null;
  rssPerPresenceMemberKb: number | null;
  replicaKbPerPresenceMember: number | null;
  serverCpuMs: number | null;
  serverCpuSysPct: number | null;
  serverCpuUsPerDelivery: number | null;
  serverCpuUsPerPublish: number | null;
  serverRssMb: number | null;
  loadGenCpuMs: number | null;
  loadGenCpuPct: number | null;
  clockOffsetUs: number | null;
  clockUncertaintyUs: number | null;
  vsBaseline: BaselineRatios | null;
  targets: TargetCheck[];
  errors: string[];
  startedAt: string;
}

/** One target of the benchmarks issue, checked against this record (and earlier ones of the run). */
export interface TargetCheck {
  readonly target: string;
  readonly value: number | null;
  readonly limit: string;
  /** null when the figure it needs was not measured in this run. */
  readonly met: boolean | null;
}

export function newRecord(scenario: ScenarioName, driver: Driver, nodes: number, tls: TlsMode = 'none'): BenchRecord {
  return {
    scenario,
    variant: variantId(driver, tls),
    driver,
    tls,
    nodes,
    publishVia: null,
    clients: null,
    channels: null,
    messages: null,
    ratePerSec: null,
    windowMs: null,
    connectionsPerSec: null,
    handshakeP50Ms: null,
    handshakeP99Ms: null,
    rssPerConnectionKb: null,
    accepted: null,
    publishesPerSec: null,
    expected: null,
    delivered: null,
    lost: null,
    duplicates: null,
    deliveriesPerSec: null,
    latencyP50Ms: null,
    latencyP95Ms: null,
    latencyP99Ms: null,
    latencyMaxMs: null,
    sameNodeP99Ms: null,
    crossNodeP50Ms: null,
    crossNodeP99Ms: null,
    runs: null,
    joinMs: null,
    convergeMs: null,
    convergedRuns: null,
    convergedClients: null,
    meshPubFramesExpected: null,
    meshPubFramesActual: null,
    meshPerNode: null,
    startToReadyMs: null,
    formationMs: null,
    idleCpuPctPerNode: null,
    idleCpuPctMaxNode: null,
    idleFramesPerRoutePerSec: null,
    rssPerNodeMb: null,
    rssPerSubscriptionKb: null,
    replicaKbPerSubscription: null,
    rssPerPresenceMemberKb: null,
    replicaKbPerPresenceMember: null,
    serverCpuMs: null,
    serverCpuSysPct: null,
    serverCpuUsPerDelivery: null,
    serverCpuUsPerPublish: null,
    serverRssMb: null,
    loadGenCpuMs: null,
    loadGenCpuPct: null,
    clockOffsetUs: null,
    clockUncertaintyUs: null,
    vsBaseline: null,
    targets: [],
    errors: [],
    startedAt: new Date().toISOString(),
  };
}
