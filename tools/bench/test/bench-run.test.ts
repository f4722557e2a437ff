import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SERVER_CLI } from '@meshpush/dev-cluster';
import test from 'ava';
import { FULL, type BenchOptions, type ScenarioParams } from '../src/options.js';
import { buildPlan, runPlan } from '../src/plan.js';
import type { BenchRecord } from '../src/record.js';

/** The real scenarios at toy sizes: every server, client and publisher is real, on 127.0.0.1. */
const TINY: ScenarioParams = Object.freeze({
  connect: { clients: 200, concurrency: 32 },
  fanout: { ...FULL.fanout, subscribers: 90, messages: 30, ratePerSec: 200, warmupMessages: 5 },
  fanoutMax: { ...FULL.fanoutMax, subscribers: 90, messages: 60, warmupMessages: 5 },
  throughput: {
    ...FULL.throughput,
    channels: 30,
    subscribersPerChannel: 3,
    durationMs: 800,
    connections: 4,
    warmupMs: 200,
  },
  presence: { clients: 30, batchSize: 10, runs: 1, convergeTimeoutMs: 10_000 },
  clusterNodes: 3,
});

function options(overrides: Partial<BenchOptions>): BenchOptions {
  return {
    quick: true,
    json: true,
    workers: 2,
    drivers: ['uws-baseline', 'local', 'cluster'],
    tls: [],
    only: [],
    build: false,
    cpuProfDir: undefined,
    params: TINY,
    ...overrides,
  };
}

/** The processes whose parent is this one (servers, brokers and load workers a run starts; tsx's esbuild). */
function ownChildren(): string[] {
  const children: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z')
        children.push(`${entry} ${stat.slice(0, stat.lastIndexOf(')') + 1)}`);
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

const find = (records: readonly BenchRecord[], variant: string, scenario: string): BenchRecord | undefined =>
  records.find((record) => record.variant === variant && record.scenario === scenario);

test.before((t) => {
  t.true(existsSync(SERVER_CLI), `build the server first (pnpm build): ${SERVER_CLI}`);
});

test.serial(
  'a run over the baseline, one node and a 3-node cluster counts every delivery and reports ratios and mesh frames',
  async (t) => {
    const before = new Set(ownChildren());
    const records = await runPlan(buildPlan(options({})), options({}), () => undefined);
    t.deepEqual(
      records.map((record) => `${record.variant}/${record.scenario}`),
      [
        'uws-baseline/fanout',
        'uws-baseline/fanout-max',
        'uws-baseline/throughput',
        'local/connect',
        'local/fanout',
        'local/fanout-max',
        'local/throughput',
        'local/presence',
        'cluster/fanout',
        'cluster/throughput',
        'cluster/presence',
      ],
    );
    for (const record of records) t.deepEqual(record.errors, [], `${record.variant}/${record.scenario}`);
    for (const record of records.filter((r) => r.expected !== null)) {
      t.true((record.expected ?? 0) > 0, `${record.variant}/${record.scenario} expected nothing`);
      t.is(record.delivered, record.expected, `${record.variant}/${record.scenario}`);
      t.is(record.lost, 0);
      t.is(record.duplicates, 0);
    }
    t.is(find(records, 'local', 'fanout')?.expected, 90 * 30);
    t.is(find(records, 'local', 'connect')?.connectionsPerSec !== null, true);
    t.not(find(records, 'local', 'throughput')?.vsBaseline?.publishesPerSec ?? null, null);
    const clusterFanout = find(records, 'cluster', 'fanout');
    t.is(clusterFanout?.meshPubFramesExpected, 30 * 2, 'one PUB frame per message to each other node');
    t.is(clusterFanout?.meshPubFramesActual, 30 * 2);
    t.not(clusterFanout?.crossNodeP99Ms ?? null, null);
    const clusterThroughput = find(records, 'cluster', 'throughput');
    t.is(
      clusterThroughput?.meshPubFramesActual,
      clusterThroughput?.meshPubFramesExpected,
      'no frame to an uninterested node',
    );
    t.is(find(records, 'cluster', 'presence')?.convergedRuns, 1);
    t.deepEqual(
      ownChildren().filter((child) => !before.has(child)),
      [],
      'every server and worker is gone',
    );
  },
);

test.serial('a TLS variant is measured, or refused with "this build does not support"', async (t) => {
  const chosen = options({ drivers: ['uws-baseline', 'local'], tls: ['client'], only: ['+tls/throughput'] });
  const before = new Set(ownChildren());
  const records = await runPlan(buildPlan(chosen), chosen, () => undefined);
  t.deepEqual(
    records.map((record) => record.variant),
    ['uws-baseline+tls', 'local+tls'],
  );
  const [baseline, local] = records;
  t.deepEqual(baseline?.errors, [], 'the TLS baseline runs on every build');
  t.is(baseline?.lost, 0);
  if (local?.errors.length === 0) {
    t.is(local.lost, 0);
    t.not(local.vsBaseline, null);
  } else {
    t.regex(local?.errors[0] ?? '', /this build does not support client TLS \(SSL_CERT\/SSL_KEY\)/);
  }
  t.deepEqual(
    ownChildren().filter((child) => !before.has(child)),
    [],
    'every server and worker is gone',
  );
});
