import { WorkerPool } from './load/pool.js';
import { DEFAULT_APP } from './load/signer.js';
import type { BenchOptions } from './options.js';
import { newRecord, type BenchRecord, type ScenarioName } from './record.js';
import { runConnect } from './scenarios/connect.js';
import type { ScenarioContext } from './scenarios/common.js';
import { runFanout } from './scenarios/fanout.js';
import { runPresence } from './scenarios/presence.js';
import { runThroughput } from './scenarios/throughput.js';
import { startBaseline } from './servers/baseline.js';
import { startMeshpush } from './servers/meshpush.js';
import type { Driver, ServerGroup } from './servers/ServerGroup.js';
import { baselineRatios, checkTargets } from './targets.js';

interface PlanEntry {
  readonly scenario: ScenarioName;
  readonly run: (ctx: ScenarioContext) => Promise<BenchRecord>;
}

/** One server setup and the scenarios measured against it, in order. */
export interface PlanGroup {
  readonly driver: Driver;
  readonly nodes: number;
  readonly start: () => Promise<ServerGroup>;
  readonly entries: readonly PlanEntry[];
}

/**
 * Baseline first, so meshpush's records can carry their ratio to it; single node before the
 * cluster, whose cross-node latency is compared with the single-node fanout.
 */
export function buildPlan(options: BenchOptions): PlanGroup[] {
  const p = options.params;
  const profileDir = options.cpuProfDir;
  const fanout: PlanEntry = { scenario: 'fanout', run: (ctx) => runFanout(ctx, p.fanout) };
  const fanoutMax: PlanEntry = { scenario: 'fanout-max', run: (ctx) => runFanout(ctx, p.fanoutMax) };
  const throughput: PlanEntry = { scenario: 'throughput', run: (ctx) => runThroughput(ctx, p.throughput) };
  const presence: PlanEntry = { scenario: 'presence', run: (ctx) => runPresence(ctx, p.presence) };
  const connect: PlanEntry = { scenario: 'connect', run: (ctx) => runConnect(ctx, p.connect) };
  const groups: PlanGroup[] = [
    { driver: 'uws-baseline', nodes: 1, start: () => startBaseline(profileDir), entries: [fanout, fanoutMax, throughput] },
    { driver: 'local', nodes: 1, start: () => startMeshpush({ nodes: 1, profileDir }), entries: [connect, fanout, fanoutMax, throughput, presence] },
    {
      driver: 'cluster',
      nodes: p.clusterNodes,
      start: () => startMeshpush({ nodes: p.clusterNodes, profileDir }),
      entries: [fanout, throughput, presence],
    },
  ];
  const wanted = (driver: Driver, entry: PlanEntry): boolean =>
    options.only.length === 0 || options.only.some((part) => `${driver}/${entry.scenario}`.includes(part));
  return groups
    .map((group) => ({ ...group, entries: group.entries.filter((entry) => wanted(group.driver, entry)) }))
    .filter((group) => group.entries.length > 0);
}

/** Runs every group: starts its servers, runs its scenarios, stops the servers. */
export async function runPlan(
  groups: readonly PlanGroup[],
  options: BenchOptions,
  onRecord: (record: BenchRecord) => void,
): Promise<BenchRecord[]> {
  const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
  const records: BenchRecord[] = [];
  const report = (record: BenchRecord): void => {
    record.vsBaseline = baselineRatios(record, records);
    record.targets = checkTargets(record, records);
    records.push(record);
    onRecord(record);
  };
  const { pool, clock } = await WorkerPool.start(options.workers);
  log(`${pool.size} load workers; clocks aligned (max offset ${clock.maxOffsetUs} µs, ±${clock.uncertaintyUs} µs)`);
  try {
    for (const group of groups) {
      log(`starting ${group.driver} (${group.nodes} node${group.nodes > 1 ? 's' : ''})`);
      const server = await group.start().catch((error: unknown) => {
        for (const entry of group.entries) report(failedRecord(entry, group, `could not start the servers: ${errorText(error)}`));
        return undefined;
      });
      if (server === undefined) continue;
      const ctx: ScenarioContext = { pool, clock, server, app: DEFAULT_APP, log };
      try {
        for (const entry of group.entries) {
          log(`${group.driver}/${entry.scenario} …`);
          report(await runEntry(ctx, entry, group));
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    pool.stop();
  }
  return records;
}

/** A scenario that throws still yields its record, with the error, and the run goes on. */
async function runEntry(ctx: ScenarioContext, entry: PlanEntry, group: PlanGroup): Promise<BenchRecord> {
  try {
    return await entry.run(ctx);
  } catch (error) {
    await ctx.pool.all('closeAll', () => ({})).catch(() => undefined);
    return failedRecord(entry, group, errorText(error));
  }
}

function failedRecord(entry: PlanEntry, group: PlanGroup, error: string): BenchRecord {
  const record = newRecord(entry.scenario, group.driver, group.nodes);
  record.errors.push(error);
  return record;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
