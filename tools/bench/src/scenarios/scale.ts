import { fetchClusterStatus } from '@meshpush/dev-cluster';
import { newRecord, type BenchRecord } from '../record.js';
import type { Formation } from '../servers/scaleCluster.js';
import { processRssKb, processRunMs } from '../util/proc.js';
import { nowMs, round, sleep } from '../util/time.js';
import type { ScenarioContext } from './common.js';
import { runFanout, type FanoutParams } from './fanout.js';
import { runPresence, type PresenceParams } from './presence.js';

export interface ScaleParams {
  /** Cluster sizes, each started fresh. @default [2, 4, 8, 16, 32, 64] */
  readonly nodes: readonly number[];
  /**
   * Quiet time after formation before the idle window. Start-up leaves V8 work behind (concurrent
   * marking, then the memory reducer's compacting collections), which an idle cluster pays once,
   * not all the time; the window should mostly miss it.
   */
  readonly settleMs: number;
  /** The idle window: CPU and mesh frames are counted over it. */
  readonly idleMs: number;
  /** One event to this many subscribers spread over every node. */
  readonly fanout: FanoutParams;
  /** Presence members joining over every node. */
  readonly presence: PresenceParams;
}

interface Idle {
  readonly cpuPct: number[];
  readonly framesPerRoutePerSec: number;
}

/**
 * One cluster size: formation (given by the start), then an idle window (CPU per node from
 * /proc, mesh frames per route from `GET /cluster`), RSS per node, one event to the fan-out's
 * subscribers, and presence joins spread over every node.
 */
export async function runScale(ctx: ScenarioContext, params: ScaleParams, formation: Formation): Promise<BenchRecord> {
  const nodes = ctx.server.ports.length;
  const record = newRecord('scale', 'cluster', nodes);
  record.formationMs = round(formation.formationMs, 0);
  record.startToReadyMs = round(formation.startToReadyMs, 0);
  await sleep(params.settleMs);
  const idle = await measureIdle(ctx, params.idleMs);
  const rssKb = ctx.server.pids.map((pid) => processRssKb(pid) ?? 0);
  record.idleCpuPctPerNode = round(average(idle.cpuPct), 3);
  record.idleCpuPctMaxNode = round(Math.max(...idle.cpuPct), 3);
  record.idleFramesPerRoutePerSec = round(idle.framesPerRoutePerSec, 2);
  record.rssPerNodeMb = round(average(rssKb) / 1024, 1);
  ctx.log(
    `scale ${nodes}: formed ${record.formationMs} ms after the last ready; idle ${record.idleCpuPctPerNode} % per node`,
  );
  const fanout = await runFanout(ctx, params.fanout);
  Object.assign(record, pick(fanout, ['clients', 'messages', 'expected', 'delivered', 'lost', 'duplicates']));
  Object.assign(record, pick(fanout, ['latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms', 'latencyMaxMs']));
  const presence = await runPresence(ctx, params.presence);
  Object.assign(record, pick(presence, ['runs', 'joinMs', 'convergeMs', 'convergedRuns', 'convergedClients']));
  record.errors.push(...fanout.errors.map((e) => `fanout: ${e}`), ...presence.errors.map((e) => `presence: ${e}`));
  return record;
}

/** CPU of every node and mesh frames sent over the window; the counters are read outside it. */
async function measureIdle(ctx: ScenarioContext, windowMs: number): Promise<Idle> {
  const { ports, pids } = ctx.server;
  const framesBefore = await framesOut(ports);
  const cpuBefore = pids.map(cpuMs);
  const startedAt = nowMs();
  await sleep(windowMs);
  const cpuAfter = pids.map(cpuMs);
  const elapsedMs = nowMs() - startedAt;
  const framesAfter = await framesOut(ports);
  const routes = ports.length * (ports.length - 1);
  const frames = framesAfter - framesBefore;
  return {
    cpuPct: cpuAfter.map((after, i) => ((after - (cpuBefore[i] ?? 0)) / elapsedMs) * 100),
    // The second read lands a little after the window: a slight overcount, never an undercount.
    framesPerRoutePerSec: routes > 0 ? frames / routes / (elapsedMs / 1000) : 0,
  };
}

/** Mesh frames sent by every node, summed over its routes. */
async function framesOut(ports: readonly number[]): Promise<number> {
  const statuses = await Promise.all(ports.map((port) => fetchClusterStatus(port)));
  return statuses.reduce(
    (sum, status) => sum + (status.transport?.peers ?? []).reduce((s, peer) => s + (peer.framesOut ?? 0), 0),
    0,
  );
}

function cpuMs(pid: number): number {
  return processRunMs(pid) ?? 0;
}

const average = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

function pick<K extends keyof BenchRecord>(record: BenchRecord, keys: readonly K[]): Pick<BenchRecord, K> {
  return Object.fromEntries(keys.map((key) => [key, record[key]])) as Pick<BenchRecord, K>;
}
