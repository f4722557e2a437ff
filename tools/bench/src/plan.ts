import { WorkerPool } from './load/pool.js';
import { DEFAULT_APP } from './load/signer.js';
import { newRecord, type BenchRecord, type ScenarioName } from './record.js';
import { runConnect } from './scenarios/connect.js';
import type { ScenarioContext } from './scenarios/common.js';
import { runFanout } from './scenarios/fanout.js';
import { runPresence } from './scenarios/presence.js';
import { runScale } from './scenarios/scale.js';
import { runSizing } from './scenarios/sizing.js';
import { runThroughput } from './scenarios/throughput.js';
import { startBaseline } from './servers/baseline.js';
import { startMeshpush } from './servers/meshpush.js';
import { startScaleCluster, type Formation } from './servers/scaleCluster.js';
import { variantId, type Driver, type ServerGroup, type TlsMode } from './servers/ServerGroup.js';
import { FULL, type BenchOptions } from './options.js';
import { baselineRatios, checkTargets } from './targets.js';
import { generateCertificates, type BenchCertificates } from './util/certs.js';
import { atExit } from './util/cleanup.js';

interface PlanEntry {
  readonly scenario: ScenarioName;
  readonly run: (ctx: ScenarioContext) => Promise<BenchRecord>;
}

/** One server setup (a variant) and the scenarios measured against it, in order. */
export interface PlanGroup {
  readonly driver: Driver;
  readonly tls: TlsMode;
  readonly nodes: number;
  readonly start: (certs: BenchCertificates | undefined) => Promise<ServerGroup>;
  readonly entries: readonly PlanEntry[];
}

/**
 * Baselines first, so meshpush's records can carry their ratio to them; each plain setup before
 * its TLS sibling; the single node before the cluster, whose cross-node latency is compared with
 * it; the broker drivers last, beside the mesh.
 */
export function buildPlan(options: BenchOptions): PlanGroup[] {
  const p = options.params;
  const profileDir = options.cpuProfDir;
  const fanout: PlanEntry = { scenario: 'fanout', run: (ctx) => runFanout(ctx, p.fanout) };
  const fanoutMax: PlanEntry = { scenario: 'fanout-max', run: (ctx) => runFanout(ctx, p.fanoutMax) };
  const throughput: PlanEntry = { scenario: 'throughput', run: (ctx) => runThroughput(ctx, p.throughput) };
  const presence: PlanEntry = { scenario: 'presence', run: (ctx) => runPresence(ctx, p.presence) };
  const connect: PlanEntry = { scenario: 'connect', run: (ctx) => runConnect(ctx, p.connect) };
  const cluster = p.clusterNodes;
  const meshpush =
    (driver: Exclude<Driver, 'uws-baseline'>, nodes: number, tls: TlsMode) => (certs: BenchCertificates | undefined) =>
      startMeshpush({ driver, nodes, tls, certs, profileDir });
  const withClientTls = options.tls.includes('client');
  const withMeshTls = options.tls.includes('mesh');
  const all: (PlanGroup & { readonly when: boolean })[] = [
    group('uws-baseline', 'none', 1, () => startBaseline(profileDir), [fanout, fanoutMax, throughput], true),
    group(
      'uws-baseline',
      'client',
      1,
      (certs) => startBaseline(profileDir, certs),
      [fanoutMax, throughput],
      withClientTls,
    ),
    group('local', 'none', 1, meshpush('local', 1, 'none'), [connect, fanout, fanoutMax, throughput, presence], true),
    group('local', 'client', 1, meshpush('local', 1, 'client'), [connect, fanoutMax, throughput], withClientTls),
    group('cluster', 'none', cluster, meshpush('cluster', cluster, 'none'), [fanout, throughput, presence], true),
    group('cluster', 'mesh', cluster, meshpush('cluster', cluster, 'mesh'), [fanout, throughput], withMeshTls),
    group('nats', 'none', cluster, meshpush('nats', cluster, 'none'), [fanout, presence], true),
    group('redis', 'none', cluster, meshpush('redis', cluster, 'none'), [fanout, presence], true),
  ];
  const wanted = (group: PlanGroup, entry: PlanEntry): boolean =>
    options.only.length === 0 ||
    options.only.some((part) => `${variantId(group.driver, group.tls)}/${entry.scenario}`.includes(part));
  const extra = [...scaleGroups(options), ...sizingGroups(options)];
  return [...all.filter(({ when, driver }) => when && options.drivers.includes(driver)), ...extra]
    .map(({ when: _when, ...group }) => ({ ...group, entries: group.entries.filter((entry) => wanted(group, entry)) }))
    .filter((group) => group.entries.length > 0);
}

/**
 * One group per size of `--scale`, last: each starts N fresh processes and measures how they
 * formed. `--drivers` does not select them: asking for `--scale` is enough.
 */
function scaleGroups(options: BenchOptions): (PlanGroup & { readonly when: boolean })[] {
  const params = options.params.scale ?? FULL.scale;
  return (options.scaleNodes ?? []).map((nodes) => {
    let formation: Formation = { startToReadyMs: 0, formationMs: 0 };
    const start = async (): Promise<ServerGroup> => {
      const cluster = await startScaleCluster(nodes, options.cpuProfDir);
      formation = cluster.formation;
      return cluster.group;
    };
    const entry: PlanEntry = { scenario: 'scale', run: (ctx) => runScale(ctx, params, formation) };
    return group('cluster', 'none', nodes, start, [entry], true);
  });
}

/** `--sizing`: memory per connection, subscription and presence member, on 2 fresh nodes. */
function sizingGroups(options: BenchOptions): (PlanGroup & { readonly when: boolean })[] {
  if (options.sizing !== true) return [];
  const params = options.params.sizing ?? FULL.sizing;
  const start = async (): Promise<ServerGroup> => (await startScaleCluster(2, options.cpuProfDir)).group;
  return [group('cluster', 'none', 2, start, [{ scenario: 'sizing', run: (ctx) => runSizing(ctx, params) }], true)];
}

function group(
  driver: Driver,
  tls: TlsMode,
  nodes: number,
  start: PlanGroup['start'],
  entries: readonly PlanEntry[],
  when: boolean,
): PlanGroup & { readonly when: boolean } {
  return { driver, tls, nodes, start, entries, when };
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
  const certs = groups.some((group) => group.tls !== 'none') ? await generateCertificates() : undefined;
  const forgetCerts = certs === undefined ? undefined : atExit(certs.remove);
  if (certs !== undefined) log(`throwaway TLS certificates for 127.0.0.1 in ${certs.dir}`);
  const { pool, clock } = await WorkerPool.start(options.workers);
  log(`${pool.size} load workers; clocks aligned (max offset ${clock.maxOffsetUs} µs, ±${clock.uncertaintyUs} µs)`);
  try {
    for (const group of groups) await runGroup(group, { pool, clock, certs, log, report });
  } finally {
    await pool.stop();
    certs?.remove();
    forgetCerts?.();
  }
  return records;
}

interface GroupRun {
  readonly pool: WorkerPool;
  readonly clock: ScenarioContext['clock'];
  readonly certs: BenchCertificates | undefined;
  readonly log: (line: string) => void;
  readonly report: (record: BenchRecord) => void;
}

async function runGroup(group: PlanGroup, run: GroupRun): Promise<void> {
  const id = variantId(group.driver, group.tls);
  run.log(`starting ${id} (${group.nodes} node${group.nodes > 1 ? 's' : ''})`);
  const server = await group.start(run.certs).catch((error: unknown) => {
    const text = `could not start the servers: ${errorText(error)}`;
    run.log(`${id}: ${text}`);
    for (const entry of group.entries) run.report(failedRecord(entry, group, text));
    return undefined;
  });
  if (server === undefined) return;
  const ctx: ScenarioContext = { pool: run.pool, clock: run.clock, server, app: DEFAULT_APP, log: run.log };
  try {
    for (const entry of group.entries) {
      run.log(`${id}/${entry.scenario} …`);
      run.report(await runEntry(ctx, entry, group));
    }
  } finally {
    await server.stop();
  }
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
  const record = newRecord(entry.scenario, group.driver, group.nodes, group.tls);
  record.errors.push(error);
  return record;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
