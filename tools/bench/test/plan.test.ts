import test from 'ava';
import { FULL, parseDrivers, parseTls, type BenchOptions } from '../src/options.js';
import { buildPlan } from '../src/plan.js';
import { variantId } from '../src/servers/ServerGroup.js';

function plan(overrides: Partial<BenchOptions>): string[] {
  const options: BenchOptions = {
    quick: false,
    json: true,
    workers: 2,
    drivers: parseDrivers('baseline,local,cluster'),
    tls: [],
    only: [],
    build: false,
    cpuProfDir: undefined,
    params: FULL,
    ...overrides,
  };
  return buildPlan(options).map(
    (group) => `${variantId(group.driver, group.tls)}:${group.entries.map((entry) => entry.scenario).join(',')}`,
  );
}

test('the default plan: baseline, one node, the 3-node mesh, in that order', (t) => {
  t.deepEqual(plan({}), [
    'uws-baseline:fanout,fanout-max,throughput',
    'local:connect,fanout,fanout-max,throughput,presence',
    'cluster:fanout,throughput,presence',
  ]);
});

test('--drivers all --tls all adds each TLS variant after its plain sibling and the brokers last', (t) => {
  t.deepEqual(plan({ drivers: parseDrivers('all'), tls: parseTls('all') }), [
    'uws-baseline:fanout,fanout-max,throughput',
    'uws-baseline+tls:fanout-max,throughput',
    'local:connect,fanout,fanout-max,throughput,presence',
    'local+tls:connect,fanout-max,throughput',
    'cluster:fanout,throughput,presence',
    'cluster+mesh-tls:fanout,throughput',
    'nats:fanout,presence',
    'redis:fanout,presence',
  ]);
});

test('a TLS variant runs only beside its plain driver, and --only filters variant/scenario ids', (t) => {
  t.deepEqual(plan({ drivers: parseDrivers('cluster'), tls: parseTls('client') }), [
    'cluster:fanout,throughput,presence',
  ]);
  t.deepEqual(
    plan({ drivers: parseDrivers('all'), tls: parseTls('mesh'), only: ['mesh-tls/throughput', 'nats/presence'] }),
    ['cluster+mesh-tls:throughput', 'nats:presence'],
  );
});

test('unknown drivers and TLS modes are refused by name', (t) => {
  t.throws(() => parseDrivers('local,kafka'), { message: /--drivers: unknown "kafka"/ });
  t.throws(() => parseTls('client,both'), { message: /--tls: unknown "both"/ });
  t.throws(() => parseDrivers(' , '), { message: /--drivers needs at least one/ });
  t.deepEqual(parseDrivers('redis,baseline,redis'), ['uws-baseline', 'redis']);
});
