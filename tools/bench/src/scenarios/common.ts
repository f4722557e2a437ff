import type { DeliveryReport } from '../load/messages.js';
import type { PublishOutcome } from '../load/publisher.js';
import type { ClockAlignment, WorkerPool } from '../load/pool.js';
import type { AppCredentials } from '../load/signer.js';
import type { BenchRecord } from '../record.js';
import type { MeshNodeCounters, ServerGroup } from '../servers/ServerGroup.js';
import { mergeHistograms, type Histogram, type HistogramData } from '../util/histogram.js';
import { ownCpuMs, processRssKb, totalCpu } from '../util/proc.js';
import { nowMs, round, sleep } from '../util/time.js';

export interface ScenarioContext {
  readonly pool: WorkerPool;
  readonly clock: ClockAlignment;
  readonly server: ServerGroup;
  readonly app: AppCredentials;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
}

/** One WebSocket client to open: which node it connects to and what it subscribes to. */
export interface Placement {
  readonly node: number;
  readonly channel: string | null;
}

const CONNECT_CONCURRENCY = 100;
const SUBSCRIBE_CONCURRENCY = 200;

/** Opens the clients (placement `i` on worker `i % workers`) and subscribes them. */
export async function placeClients(
  ctx: ScenarioContext,
  placements: readonly Placement[],
  errors: string[],
): Promise<number> {
  const urls = ctx.server.ports.map((_, i) => ctx.server.wsUrl(i));
  const share = (w: number): Placement[] => placements.filter((_, i) => i % ctx.pool.size === w);
  const connected = await ctx.pool.all('connect', (w) => ({
    urls,
    nodes: share(w).map((p) => p.node),
    concurrency: CONNECT_CONCURRENCY,
    ca: ctx.server.clientCa ?? null,
  }));
  for (const result of connected)
    if (result.firstError !== null) errors.push(`connect: ${result.failed} failed, first: ${result.firstError}`);
  const subscribed = await ctx.pool.all('subscribe', (w) => ({
    channels: share(w).map((p) => p.channel),
    concurrency: SUBSCRIBE_CONCURRENCY,
  }));
  for (const result of subscribed)
    if (result.firstError !== null) errors.push(`subscribe: ${result.failed} failed, first: ${result.firstError}`);
  return subscribed.reduce((sum, result) => sum + result.subscribed, 0);
}

/** CPU and wall-clock snapshot at the start of a measured window. */
export interface CostWindow {
  readonly startedAtMs: number;
  readonly serverCpu: { readonly userMs: number; readonly sysMs: number };
  readonly loadGenCpuMs: number;
}

export async function openWindow(ctx: ScenarioContext): Promise<CostWindow> {
  const loadGenCpuMs = (await ctx.pool.cpuMs()) + ownCpuMs();
  return { startedAtMs: nowMs(), serverCpu: totalCpu(ctx.server.pids), loadGenCpuMs };
}

/** Fills the cost fields: server CPU over the window, RSS now, and the load generator's CPU. */
export async function closeWindow(
  ctx: ScenarioContext,
  window: CostWindow,
  record: BenchRecord,
  endedAt?: number,
): Promise<void> {
  const endedAtMs = endedAt !== undefined && endedAt > window.startedAtMs ? endedAt : nowMs();
  const cpu = totalCpu(ctx.server.pids);
  const sysMs = cpu.sysMs - window.serverCpu.sysMs;
  const serverCpuMs = cpu.userMs - window.serverCpu.userMs + sysMs;
  const loadGenCpuMs = (await ctx.pool.cpuMs()) + ownCpuMs() - window.loadGenCpuMs;
  const wallMs = Math.max(1, endedAtMs - window.startedAtMs);
  record.windowMs = round(wallMs, 0);
  record.serverCpuMs = round(serverCpuMs, 0);
  record.serverCpuSysPct = serverCpuMs > 0 ? round((sysMs / serverCpuMs) * 100, 0) : null;
  record.serverRssMb = round(serverRssKb(ctx) / 1024, 1);
  record.loadGenCpuMs = round(loadGenCpuMs, 0);
  record.loadGenCpuPct = round((loadGenCpuMs / wallMs) * 100, 0);
  record.clockOffsetUs = ctx.clock.maxOffsetUs;
  record.clockUncertaintyUs = ctx.clock.uncertaintyUs;
  if (record.delivered) record.serverCpuUsPerDelivery = round((serverCpuMs * 1000) / record.delivered, 3);
  if (record.accepted) record.serverCpuUsPerPublish = round((serverCpuMs * 1000) / record.accepted, 1);
}

export function serverRssKb(ctx: ScenarioContext): number {
  return ctx.server.pids.reduce((sum, pid) => sum + (processRssKb(pid) ?? 0), 0);
}

let lastPhase = 0;

/**
 * Starts a new counting phase in every worker and returns its number, to be carried by the
 * phase's events (`benchData`): deliveries of earlier phases can no longer be counted.
 */
export async function beginPhase(ctx: ScenarioContext): Promise<number> {
  const phase = ++lastPhase;
  await ctx.pool.all('beginPhase', () => ({ phase }));
  return phase;
}

/** Per-node latency histograms summed over the workers. */
export interface Deliveries {
  /** Distinct events received, summed over the clients. */
  readonly delivered: number;
  readonly duplicates: number;
  readonly malformed: number;
  /** Clients closed during the phase other than by the bench, by close code. */
  readonly unexpectedCloses: Record<string, number>;
  readonly lastAtMs: number;
  readonly byNode: Histogram[];
}

/**
 * Polls the workers until `expected` deliveries arrived, nothing new arrived for `idleMs`, or
 * `timeoutMs` passed; returns what arrived.
 */
export async function awaitDeliveries(
  ctx: ScenarioContext,
  expected: number,
  timeoutMs: number,
  idleMs = 2000,
): Promise<Deliveries> {
  const deadline = Date.now() + timeoutMs;
  let last = { delivered: -1, at: Date.now() };
  for (;;) {
    const reports = await ctx.pool.all('deliveries', () => ({}));
    const delivered = reports.reduce((sum, report) => sum + report.delivered, 0);
    if (delivered !== last.delivered) last = { delivered, at: Date.now() };
    if (delivered >= expected || Date.now() >= deadline || Date.now() - last.at >= idleMs) return summarize(reports);
    await sleep(50);
  }
}

function summarize(reports: readonly DeliveryReport[]): Deliveries {
  const nodes = Math.max(0, ...reports.map((report) => report.byGroup.length));
  const byNode = Array.from({ length: nodes }, (_, node) =>
    mergeHistograms(reports.map((report) => report.byGroup[node]).filter((h): h is HistogramData => h !== undefined)),
  );
  const sum = (pick: (report: DeliveryReport) => number): number =>
    reports.reduce((total, report) => total + pick(report), 0);
  return {
    delivered: sum((report) => report.delivered),
    duplicates: sum((report) => report.duplicates),
    malformed: sum((report) => report.malformed),
    unexpectedCloses: mergeCounts(reports.map((report) => report.unexpectedCloses)),
    lastAtMs: Math.max(0, ...reports.map((report) => report.lastAtMs)),
    byNode,
  };
}

function mergeCounts(parts: readonly Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const part of parts) for (const [key, count] of Object.entries(part)) total[key] = (total[key] ?? 0) + count;
  return total;
}

/** Fills the delivery and latency fields; `publishNode` splits same-node and cross-node latency. */
export function fillDeliveries(
  record: BenchRecord,
  deliveries: Deliveries,
  expected: number,
  firstSendAtMs: number,
  publishNode?: number,
): void {
  const all = mergeHistograms(deliveries.byNode.map((h) => h.toData()));
  record.expected = expected;
  record.delivered = deliveries.delivered;
  record.lost = Math.max(0, expected - deliveries.delivered);
  record.duplicates = deliveries.duplicates;
  if (deliveries.duplicates > 0) record.errors.push(`${deliveries.duplicates} events reached a client twice`);
  if (deliveries.malformed > 0) record.errors.push(`${deliveries.malformed} bench frames could not be read`);
  const closes = Object.entries(deliveries.unexpectedCloses);
  if (closes.length > 0) {
    const list = closes.map(([code, count]) => `${count} with ${code}`).join(', ');
    record.errors.push(`clients closed by the server or the network during the measurement: ${list}`);
  }
  if (deliveries.delivered > expected)
    record.errors.push(`${deliveries.delivered - expected} more deliveries than expected`);
  const spanMs = deliveries.lastAtMs - firstSendAtMs;
  record.deliveriesPerSec = spanMs > 0 ? round((deliveries.delivered * 1000) / spanMs, 0) : null;
  record.latencyP50Ms = round(all.percentileMs(50), 3);
  record.latencyP95Ms = round(all.percentileMs(95), 3);
  record.latencyP99Ms = round(all.percentileMs(99), 3);
  record.latencyMaxMs = round(all.maxMs(), 3);
  if (all.negative() > 0) record.errors.push(`${all.negative()} latencies were negative (clock alignment)`);
  if (publishNode === undefined || deliveries.byNode.length < 2) return;
  const same = deliveries.byNode[publishNode];
  const cross = mergeHistograms(deliveries.byNode.filter((_, node) => node !== publishNode).map((h) => h.toData()));
  record.sameNodeP99Ms = round(same?.percentileMs(99) ?? null, 3);
  record.crossNodeP50Ms = round(cross.percentileMs(50), 3);
  record.crossNodeP99Ms = round(cross.percentileMs(99), 3);
}

/**
 * Fills the mesh fields from counters taken before and after: the `PUB` frames each node sent and
 * received during the scenario, and their total against `expected` (frames to interested peers).
 */
export async function fillMesh(
  ctx: ScenarioContext,
  record: BenchRecord,
  before: MeshNodeCounters[] | null,
  expected: number,
): Promise<void> {
  const after = await ctx.server.meshCounters();
  if (before === null || after === null) return;
  const delta = after.map((node, i) => ({
    node: node.node,
    pubIn: node.pubIn - (before[i]?.pubIn ?? 0),
    pubOut: node.pubOut - (before[i]?.pubOut ?? 0),
  }));
  record.meshPubFramesExpected = expected;
  record.meshPubFramesActual = delta.reduce((sum, node) => sum + node.pubIn, 0);
  record.meshPerNode = delta;
}

export function noteRejections(record: BenchRecord, outcomes: readonly PublishOutcome[]): void {
  const rejected = outcomes.filter((outcome) => outcome.status !== 200);
  if (rejected.length === 0) return;
  const statuses = [...new Set(rejected.map((outcome) => outcome.status))].join(', ');
  record.errors.push(`${rejected.length} publishes not accepted (HTTP ${statuses})`);
}
