import test from 'ava';
import { ConfigError } from '../src/config/errors.js';
import { resolveConfig, type ConfigInput } from '../src/config/resolve.js';
import { describeConfig } from '../src/config/summary.js';

const file = (content: unknown): ConfigInput['file'] => ({ path: 'meshpush.json', content });
const build = { version: 'test', nodeVersion: 'v20', pid: 1 };

function failure(input: ConfigInput): string {
  try {
    resolveConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a configuration error');
}

test("soketi's NATS settings reach the config, under env names, SOKETI_ names and config keys", (t) => {
  const config = resolveConfig({
    env: {
      ADAPTER_DRIVER: 'nats',
      SOKETI_ADAPTER_NATS_SERVERS: 'nats://n1:4222, n2:4223',
      ADAPTER_NATS_USER: 'pusher',
      ADAPTER_NATS_PASSWORD: 'secret-pw',
      ADAPTER_NATS_NODES_NUMBER: '3',
    },
    file: file({ 'adapter.nats.prefix': 'soketi', 'adapter.nats.timeout': 2500, 'adapter.nats.requestsTimeout': 700 }),
  });
  t.deepEqual(config.brokers.nats, {
    servers: ['nats://n1:4222', 'n2:4223'],
    user: 'pusher',
    password: 'secret-pw',
    token: undefined,
    prefix: 'soketi',
    connectTimeoutMs: 2500,
    requestTimeoutMs: 700,
  });
  t.deepEqual(config.warnings, []);
  const summary = describeConfig(config, build).join('\n');
  t.regex(
    summary,
    /cluster: nats nats:\/\/n1:4222,n2:4223, user pusher, prefix soketi, heartbeat 500 ms, node timeout 2000 ms/,
  );
  t.notRegex(summary, /secret-pw/);
});

test("soketi's Redis settings (DB_REDIS_*, ADAPTER_REDIS_*) reach the config, Sentinel and cluster nodes included", (t) => {
  const config = resolveConfig({
    env: {
      ADAPTER_DRIVER: 'redis',
      RATE_LIMITER_DRIVER: 'redis',
      DB_REDIS_HOST: 'redis.internal',
      DB_REDIS_PORT: '6380',
      DB_REDIS_DB: '2',
      DB_REDIS_PASSWORD: 'redis-pw',
      DB_REDIS_SENTINELS: '[{"host":"s1","port":26379},{"host":"s2"}]',
      DB_REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
      DB_REDIS_INSTANCE_NAME: 'main',
      ADAPTER_REDIS_PREFIX: 'app1:',
    },
    file: file({
      'database.redis.clusterNodes': ['c1:7000', 'c2:7001'],
      'adapter.redis.clusterMode': false,
      'adapter.redis.requestsTimeout': 900,
    }),
  });
  const redis = config.brokers.redis;
  t.like(redis, {
    host: 'redis.internal',
    port: 6380,
    db: 2,
    password: 'redis-pw',
    sentinelPassword: 'sentinel-pw',
    instanceName: 'main',
    prefix: 'app1:',
    clusterMode: false,
    requestTimeoutMs: 900,
  });
  t.deepEqual(redis.sentinels, [
    { host: 's1', port: 26379 },
    { host: 's2', port: 6379 },
  ]);
  t.deepEqual(redis.clusterNodes, [
    { host: 'c1', port: 7000 },
    { host: 'c2', port: 7001 },
  ]);
  t.is(config.rateLimiter.driver, 'redis');
  const summary = describeConfig(config, build).join('\n');
  t.regex(summary, /cluster: redis sentinel main via s1:26379,s2:6379, password set, prefix app1:/);
  t.notRegex(summary, /redis-pw|sentinel-pw/);
});

test('bad broker values are clear errors', (t) => {
  t.regex(failure({ env: { ADAPTER_NATS_SERVERS: 'nats://a b' } }), /ADAPTER_NATS_SERVERS.*not a NATS server/);
  t.regex(failure({ env: { ADAPTER_NATS_PREFIX: 'bad.*' } }), /ADAPTER_NATS_PREFIX.*without spaces/);
  t.regex(failure({ env: { DB_REDIS_SENTINELS: '[{"port":1}]' } }), /DB_REDIS_SENTINELS/);
  t.regex(failure({ env: { DB_REDIS_PORT: 'x' } }), /DB_REDIS_PORT/);
  t.regex(
    failure({ env: { ADAPTER_NATS_CREDENTIALS: '/etc/nats.creds' } }),
    /ADAPTER_NATS_CREDENTIALS is not supported yet/,
  );
  t.regex(failure({ env: { RATE_LIMITER_DRIVER: 'redis' } }), /RATE_LIMITER_DRIVER=redis .* set ADAPTER_DRIVER=redis/);
  t.regex(failure({ env: { RATE_LIMITER_DRIVER: 'cluster' } }), /needs ADAPTER_DRIVER=cluster, nats or redis/);
});

test('the mesh port is not checked against PORT when the mesh is not used', (t) => {
  t.notThrows(() => resolveConfig({ env: { ADAPTER_DRIVER: 'nats', PORT: '11002' } }));
  t.regex(failure({ env: { ADAPTER_DRIVER: 'cluster', PORT: '11002' } }), /CLUSTER_PORT and PORT/);
});
