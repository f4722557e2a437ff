import test from 'ava';
import { defaultServerConfig } from '@meshpush/pusher-server';
import { ConfigError } from '../src/config/errors.js';
import { optionIndex, resolveConfig, type ConfigInput } from '../src/config/resolve.js';
import { describeConfig } from '../src/config/summary.js';
import {
  integer,
  oneOf,
  parseBoolean,
  parseHostPortList,
  parsePathPrefix,
  parsePort,
  parseQuota,
  jsonList,
  text,
} from '../src/config/parsers.js';
import { settingOptions } from '../src/config/settingOptions.js';
import { defaultSettings, getSetting } from '../src/config/settings.js';

const file = (content: unknown): ConfigInput['file'] => ({ path: 'meshpush.json', content });

function failure(input: ConfigInput): string {
  const error = (() => {
    try {
      resolveConfig(input);
    } catch (caught) {
      return caught;
    }
    return undefined;
  })();
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  if (error.message.includes('\n')) throw new Error(`error is not one line: ${error.message}`);
  return error.message;
}

// --- parsers ---

test('booleans: true/false/1/0 in any case, from strings, numbers and JSON booleans', (t) => {
  for (const yes of ['true', 'TRUE', '1', 1, true]) t.true(parseBoolean(yes));
  for (const no of ['false', 'False', '0', 0, false]) t.false(parseBoolean(no));
  for (const bad of ['yes', 'on', '', 2, null]) t.throws(() => parseBoolean(bad), { message: /true, false, 1 or 0/ });
});

test('integers and ports: ranges, plain digits only', (t) => {
  t.is(parsePort('0'), 0);
  t.is(parsePort(65535), 65535);
  for (const bad of ['65536', '-1', '80a', '8.5', '', ' ', 'abc', 1.5]) t.throws(() => parsePort(bad));
  t.is(integer(0)(' 42 '), 42);
  t.throws(() => integer(0)('-3'), { message: /≥ 0/ });
  t.is(parseQuota('-1'), -1);
  t.throws(() => parseQuota('-2'), { message: /-1 for unlimited/ });
});

test('enums name the supported values, and tell planned values apart from typos', (t) => {
  const parse = oneOf(['local', 'cluster'], { planned: { redis: 'later' } }, 'driver');
  t.is(parse('cluster'), 'cluster');
  t.throws(() => parse('clustr'), { message: 'unknown driver (expected one of: local, cluster)' });
  t.throws(() => parse('redis'), { message: 'later', name: 'UnsupportedValueError' });
});

test('JSON lists come as arrays or JSON strings; bad JSON is reported', (t) => {
  const parse = jsonList(text());
  t.deepEqual(parse('["a","b"]'), ['a', 'b']);
  t.deepEqual(parse(['a']), ['a']);
  t.throws(() => parse('[a'), { message: /expected JSON/ });
  t.throws(() => parse('{"a":1}'), { message: /JSON array/ });
});

test('host:port lists: commas, JSON, IPv6 in brackets, bare hosts kept for the cluster port', (t) => {
  t.deepEqual(parseHostPortList('a:1, b.example:11002 ,[::1]:3'), ['a:1', 'b.example:11002', '[::1]:3']);
  t.deepEqual(parseHostPortList('["10.0.0.1:4000","10.0.0.2"]'), ['10.0.0.1:4000', '10.0.0.2']);
  t.throws(() => parseHostPortList('a:99999'), { message: /not host:port/ });
  t.throws(() => parseHostPortList('a b:1'), { message: /not host:port/ });
});

test('path prefixes start with / and do not end with one', (t) => {
  t.is(parsePathPrefix(''), '');
  t.is(parsePathPrefix('/pusher'), '/pusher');
  for (const bad of ['pusher', '/pusher/', '/', '/a b']) t.throws(() => parsePathPrefix(bad));
});

// --- defaults and precedence ---

test('with no input the server config is the package default', (t) => {
  const config = resolveConfig({});
  t.deepEqual(config.server, defaultServerConfig());
  t.is(config.rateLimiter.driver, 'local');
  t.false(config.log.json);
  t.deepEqual(config.warnings, []);
});

test('precedence: defaults < config file < environment < flags', (t) => {
  const content = { port: 7001, host: '127.0.0.1', pathPrefix: '/file', debug: true };
  const fromFile = resolveConfig({ file: file(content) }).server;
  t.like(fromFile, { port: 7001, host: '127.0.0.1', pathPrefix: '/file', debug: true });

  const env = { PORT: '7002', PATH_PREFIX: '/env' };
  const fromEnv = resolveConfig({ file: file(content), env }).server;
  t.like(fromEnv, { port: 7002, host: '127.0.0.1', pathPrefix: '/env', debug: true });

  const flags = [{ flag: '--port', value: '7003' }];
  const fromFlags = resolveConfig({ file: file(content), env, flags });
  t.like(fromFlags.server, { port: 7003, pathPrefix: '/env' });
  t.is(fromFlags.origins.get('server.port'), '--port');
  t.is(fromFlags.origins.get('server.pathPrefix'), 'PATH_PREFIX');
});

test('environment names work with and without the SOKETI_ prefix', (t) => {
  const config = resolveConfig({
    env: { SOKETI_ADAPTER_DRIVER: 'cluster', CLUSTER_PORT: '12000', SOKETI_CLUSTER_NODE_TIMEOUT: '3000' },
  });
  t.is(config.server.adapter.driver, 'cluster');
  t.is(config.server.cluster.port, 12000);
  t.is(config.server.cluster.nodeTimeoutMs, 3000);
});

test('both spellings with the same value are fine; different values stop with both names', (t) => {
  t.is(resolveConfig({ env: { PORT: '7000', SOKETI_PORT: '7000' } }).server.port, 7000);
  const message = failure({ env: { CLUSTER_PORT: '11002', SOKETI_CLUSTER_PORT: '11003' } });
  t.regex(message, /CLUSTER_PORT="11002"/);
  t.regex(message, /SOKETI_CLUSTER_PORT="11003"/);
  t.regex(message, /set only one/);
});

test('two names for one setting (seeds, heartbeat) conflict the same way', (t) => {
  t.regex(
    failure({ env: { CLUSTER_SEEDS: 'a:1', CLUSTER_UNICAST_ADDRESSES: 'b:1' } }),
    /CLUSTER_SEEDS.*CLUSTER_UNICAST_ADDRESSES|CLUSTER_UNICAST_ADDRESSES.*CLUSTER_SEEDS/,
  );
  const config = resolveConfig({ env: { ADAPTER_DRIVER: 'cluster', CLUSTER_KEEPALIVE_INTERVAL: '250' } });
  t.is(config.server.cluster.checkIntervalMs, 250);
});

test('empty environment values count as unset', (t) => {
  t.is(resolveConfig({ env: { PORT: '', SSL_CERT: '' } }).server.port, 6001);
});

test('the config file takes dotted soketi keys and nested objects alike', (t) => {
  const dotted = resolveConfig({
    file: file({ 'adapter.driver': 'cluster', 'cluster.port': 12001, 'cluster.hostname': '127.0.0.1' }),
  });
  const nested = resolveConfig({
    file: file({ adapter: { driver: 'cluster' }, cluster: { port: 12001, hostname: '127.0.0.1' } }),
  });
  t.deepEqual(dotted.server, nested.server);
  t.like(dotted.server.cluster, { port: 12001, host: '127.0.0.1' });
});

test('every soketi key maps somewhere: limits, metrics, presence, traffic, cors', (t) => {
  const { server } = resolveConfig({
    file: file({
      'channelLimits.maxNameLength': 150,
      'channelLimits.maxPerConnection': 7,
      'eventLimits.maxChannelsAtOnce': 50,
      'eventLimits.maxPayloadInKb': 10,
      'presence.maxMembersPerChannel': 20,
      'httpApi.acceptTraffic.memoryThreshold': 70,
      'metrics.enabled': true,
      'metrics.port': 9700,
      'metrics.prometheus.prefix': 'soketi_',
      'cors.origin': ['https://example.com'],
      shutdownGracePeriod: 1000,
      userAuthenticationTimeout: 5000,
    }),
  });
  t.like(server.limits, {
    maxChannelNameLength: 150,
    maxChannelsPerConnection: 7,
    maxEventChannelsAtOnce: 50,
    maxEventPayloadKb: 10,
    maxPresenceMembersPerChannel: 20,
  });
  t.like(server, {
    acceptTrafficMemoryThresholdPercent: 70,
    corsAllowOrigin: 'https://example.com',
    shutdownGracePeriodMs: 1000,
    userAuthenticationTimeoutMs: 5000,
  });
  t.deepEqual(server.metrics, { enabled: true, host: '0.0.0.0', port: 9700, prefix: 'soketi_' });
});

// --- errors ---

test('an unknown config-file key is an error with a suggestion', (t) => {
  t.is(failure({ file: file({ prot: 6001 }) }), 'unknown key "prot" in meshpush.json (did you mean "port"?)');
  t.regex(failure({ file: file({ cluster: { prot: 1 } }) }), /unknown key "cluster.prot"/);
  t.regex(failure({ file: file([1]) }), /must hold a JSON object/);
});

test('an unknown SOKETI_ variable is an error; other unknown variables are not ours', (t) => {
  t.is(failure({ env: { SOKETI_PROT: '1' } }), 'unknown environment variable SOKETI_PROT (did you mean SOKETI_PORT?)');
  t.notThrows(() => resolveConfig({ env: { HOME: '/root', PROT: '1' } }));
});

test('malformed values name the setting, the value and what was expected', (t) => {
  t.is(failure({ env: { PORT: 'abc' } }), 'invalid value "abc" for PORT: expected a port number from 0 to 65535');
  t.regex(failure({ env: { SHUTDOWN_GRACE_PERIOD: '-5' } }), /SHUTDOWN_GRACE_PERIOD: expected an integer ≥ 0/);
  t.regex(failure({ env: { DEBUG: 'yes' } }), /for DEBUG: expected true, false, 1 or 0/);
  t.regex(failure({ env: { DEFAULT_APP_WEBHOOKS: '[{' } }), /invalid DEFAULT_APP_WEBHOOKS: expected JSON/);
  t.regex(failure({ flags: [{ flag: '--cluster-port', value: '70000' }] }), /for --cluster-port/);
  t.regex(failure({ file: file({ 'cluster.port': 'x' }) }), /"cluster.port" in meshpush.json/);
});

test('an unknown driver is an error; planned drivers say "not supported yet"', (t) => {
  t.is(
    failure({ env: { ADAPTER_DRIVER: 'foo' } }),
    'invalid value "foo" for ADAPTER_DRIVER: unknown driver (expected one of: local, cluster, nats, redis)',
  );
  t.regex(failure({ env: { QUEUE_DRIVER: 'sqs' } }), /QUEUE_DRIVER: "sqs" is not supported yet/);
  t.regex(failure({ env: { MODE: 'worker' } }), /MODE: "worker" is not supported yet/);
  t.regex(
    failure({ env: { APP_MANAGER_DRIVER: 'sqlite' } }),
    /unknown driver \(expected one of: array, postgres, mysql, dynamodb\)/,
  );
  t.regex(
    failure({ env: { RATE_LIMITER_DRIVER: 'redis', ADAPTER_DRIVER: 'nats' } }),
    /RATE_LIMITER_DRIVER=redis shares limits over the Redis adapter: set ADAPTER_DRIVER=redis, or RATE_LIMITER_DRIVER=cluster/,
  );
});

test('UDP discovery is refused, never ignored; TLS files come in complete sets', (t) => {
  // Any value is refused; a loopback one keeps even the test input free of broadcast addresses.
  t.regex(
    failure({ env: { CLUSTER_BROADCAST_ADDRESS: '127.0.0.1' } }),
    /CLUSTER_BROADCAST_ADDRESS is not supported: .*UDP/,
  );
  t.regex(
    failure({ env: { SOKETI_CLUSTER_MULTICAST_ADDRESS: '127.0.0.1' } }),
    /SOKETI_CLUSTER_MULTICAST_ADDRESS is not supported/,
  );
  t.regex(failure({ env: { SSL_CERT: '/etc/cert.pem' } }), /client TLS needs SSL_CERT, SSL_KEY; missing: SSL_KEY/);
  t.regex(failure({ file: file({ 'ssl.keyPath': '/k' }) }), /missing: SSL_CERT/);
  t.regex(failure({ env: { SSL_CA: '/ca.pem' } }), /SSL_CA and SSL_PASS\(PHRASE\) need SSL_CERT and SSL_KEY/);
  t.regex(
    failure({ env: { SSL_CERT: '/c', SSL_KEY: '/k', SSL_PASS: 'a', SSL_PASSPHRASE: 'b' } }),
    /SSL_PASS=\(hidden\) and SSL_PASSPHRASE=\(hidden\) disagree/,
  );
  t.regex(
    failure({ env: { ADAPTER_DRIVER: 'cluster', CLUSTER_TLS_CERT: '/c', CLUSTER_TLS_KEY: '/k' } }),
    /mesh TLS needs .*missing: CLUSTER_TLS_CA/,
  );
  t.regex(
    failure({ env: { CLUSTER_TLS_CERT: '/c', CLUSTER_TLS_KEY: '/k', CLUSTER_TLS_CA: '/ca' } }),
    /needs ADAPTER_DRIVER=cluster/,
  );
  t.regex(failure({ env: { CLUSTER_IGNORE_PROCESS: 'false' } }), /CLUSTER_IGNORE_PROCESS is not supported/);
});

test('TLS settings under soketi names and keys reach the config', (t) => {
  const config = resolveConfig({
    env: { SOKETI_SSL_CERT: '/c.pem', SSL_KEY: '/k.pem', SOKETI_SSL_PASS: 'pw', ADAPTER_DRIVER: 'cluster' },
    file: file({
      'ssl.caPath': '/ca.pem',
      'cluster.tls.cert': '/m.pem',
      'cluster.tls.key': '/m.key',
      'cluster.tls.ca': '/mca.pem',
    }),
  });
  t.deepEqual(config.server.ssl, { certFile: '/c.pem', keyFile: '/k.pem', passphrase: 'pw', caFile: '/ca.pem' });
  t.deepEqual(config.clusterTls, { certFile: '/m.pem', keyFile: '/m.key', caFile: '/mca.pem' });
  t.is(resolveConfig({ env: { SSL_PASSPHRASE: 'pw', SSL_CERT: '/c', SSL_KEY: '/k' } }).server.ssl.passphrase, 'pw');
});

test('values that mean "off" for unsupported switches are accepted quietly', (t) => {
  const config = resolveConfig({
    env: {
      CLUSTER_IGNORE_PROCESS: 'true',
      WEBHOOKS_BATCHING: 'false',
      MODE: 'full',
      QUEUE_DRIVER: 'sync',
      APP_MANAGER_DRIVER: 'array',
    },
    file: file({ 'ssl.certPath': '', 'appManager.cache.enabled': false }),
  });
  t.deepEqual(config.warnings, []);
});

test('settings of drivers that are not in this build are reported as warnings', (t) => {
  const config = resolveConfig({ env: { QUEUE_REDIS_CONCURRENCY: '2', SOKETI_ADAPTER_REDIS_SHARD_MODE: 'true' } });
  t.is(config.warnings.length, 2);
  t.regex(config.warnings.join('\n'), /QUEUE_REDIS_CONCURRENCY is ignored/);
  t.regex(config.warnings.join('\n'), /SOKETI_ADAPTER_REDIS_SHARD_MODE is ignored/);
});

test('combinations that cannot work are errors', (t) => {
  t.regex(failure({ env: { RATE_LIMITER_DRIVER: 'cluster' } }), /needs ADAPTER_DRIVER=cluster/);
  t.regex(
    failure({ env: { ADAPTER_DRIVER: 'cluster', CLUSTER_NODE_TIMEOUT: '500', CLUSTER_CHECK_INTERVAL: '500' } }),
    /CLUSTER_NODE_TIMEOUT/,
  );
  t.regex(failure({ env: { METRICS_ENABLED: 'true', METRICS_SERVER_PORT: '6001' } }), /METRICS_SERVER_PORT and PORT/);
  t.notThrows(() => resolveConfig({ env: { METRICS_ENABLED: 'true', PORT: '0', METRICS_SERVER_PORT: '0' } }));
});

// --- apps ---

test('the default app comes from DEFAULT_APP_*', (t) => {
  const { server } = resolveConfig({
    env: {
      DEFAULT_APP_ID: '42',
      DEFAULT_APP_KEY: 'k',
      SOKETI_DEFAULT_APP_SECRET: 's',
      DEFAULT_APP_MAX_CONNS: '-1',
      DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true',
      DEFAULT_APP_ENABLED: '0',
      DEFAULT_APP_USER_AUTHENTICATION: '1',
      DEFAULT_APP_ENABLE_SUBSCRIPTION_COUNT: 'true',
      DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SEC: '10',
      DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC: '5',
      DEFAULT_APP_MAX_READ_REQ_PER_SEC: '20',
      DEFAULT_APP_WEBHOOKS: '[{"url":"http://127.0.0.1:9/hook","event_types":["channel_occupied"]}]',
    },
  });
  t.deepEqual(server.apps, [
    {
      id: '42',
      key: 'k',
      secret: 's',
      maxConnections: -1,
      enableClientMessages: true,
      enabled: false,
      enableUserAuthentication: true,
      enableSubscriptionCount: true,
      maxBackendEventsPerSecond: 10,
      maxClientEventsPerSecond: 5,
      maxReadRequestsPerSecond: 20,
      webhooks: [{ url: 'http://127.0.0.1:9/hook', event_types: ['channel_occupied'] }],
    },
  ]);
});

test("the config file's app list replaces the default app; numeric ids become strings", (t) => {
  const apps = [
    { id: 1, key: 'k1', secret: 's1', enableClientMessages: true, maxConnections: null },
    { id: 'two', key: 'k2', secret: 's2', webhooks: [{ url: 'https://example.com/h', headers: { A: 'b' } }] },
  ];
  const { server } = resolveConfig({ file: file({ 'appManager.array.apps': apps }) });
  t.deepEqual(
    server.apps.map((app) => app.id),
    ['1', 'two'],
  );
  t.is(server.apps[0]?.maxConnections, undefined);
});

test('app lists are checked: required fields, typos, duplicates, lambda webhooks, no mixing with DEFAULT_APP_*', (t) => {
  const apps = (list: unknown): ConfigInput => ({ file: file({ appManager: { array: { apps: list } } }) });
  t.regex(failure(apps([{ id: 'a', key: 'k' }])), /app #0: an app needs "secret"/);
  t.regex(failure(apps([{ id: 'a', key: 'k', secret: 's', maxConections: 1 }])), /did you mean "maxConnections"/);
  t.regex(
    failure(
      apps([
        { id: 'a', key: 'k', secret: 's' },
        { id: 'b', key: 'k', secret: 's' },
      ]),
    ),
    /two apps have the key "k"/,
  );
  t.regex(
    failure(apps([{ id: 'a', key: 'k', secret: 's', webhooks: [{ lambda_function: 'f' }] }])),
    /Lambda webhooks are not supported/,
  );
  t.regex(failure(apps([])), /at least one app/);
  const mixed = { ...apps([{ id: 'a', key: 'k', secret: 's' }]), env: { DEFAULT_APP_KEY: 'x' } };
  t.regex(failure(mixed), /DEFAULT_APP_KEY cannot be combined with the app list/);
});

test('errors never echo secrets', (t) => {
  const message = failure({ env: { DEFAULT_APP_SECRET: 'hunter2', SOKETI_DEFAULT_APP_SECRET: 'other' } });
  t.notRegex(message, /hunter2|other/);
  t.regex(message, /DEFAULT_APP_SECRET/);
  const listed = failure({
    file: file({ 'appManager.array.apps': [{ id: 'a', key: 'k', secret: 'hunter2', bad: 1 }] }),
  });
  t.notRegex(listed, /hunter2/);
});

// --- seeds and the summary ---

test('CLUSTER_UNICAST_ADDRESSES is read as seeds; a seed without a port gets the cluster port', (t) => {
  const { server } = resolveConfig({
    env: {
      ADAPTER_DRIVER: 'cluster',
      CLUSTER_PORT: '12000',
      SOKETI_CLUSTER_UNICAST_ADDRESSES: '10.0.0.1,10.0.0.2:13000',
    },
  });
  t.deepEqual(server.cluster.seeds, ['10.0.0.1:12000', '10.0.0.2:13000']);
});

test('the summary lists apps by id and key and shows no secret', (t) => {
  const config = resolveConfig({
    env: { ADAPTER_DRIVER: 'cluster', CLUSTER_SECRET: 'mesh-secret', DEFAULT_APP_SECRET: 'app-secret-value' },
  });
  const summary = describeConfig(config, { version: '1.2.3', nodeVersion: 'v20', pid: 7 }).join('\n');
  t.regex(summary, /meshpush 1\.2\.3/);
  t.regex(summary, /id=app-id key=app-key/);
  t.regex(summary, /adapter=cluster/);
  t.regex(summary, /secret set/);
  t.notRegex(summary, /mesh-secret|app-secret-value/);
});

// --- the table itself ---

test('the option table: unique env names, all soketi names known, every target has a default', (t) => {
  const envs = settingOptions.flatMap((option) => (option.env ? [option.env] : []));
  t.is(new Set(envs).size, envs.length);
  t.true(optionIndex.byEnv.size > 100, 'soketi names are all recognised');
  const defaults = defaultSettings();
  const optionalTargets = new Set([
    'apps',
    'server.cluster.secret',
    // Broker credentials: unset unless given.
    'brokers.nats.user',
    'brokers.nats.password',
    'brokers.nats.token',
    'brokers.redis.username',
    'brokers.redis.password',
    'brokers.redis.sentinelPassword',
  ]);
  for (const option of settingOptions) {
    if (option.target === null || optionalTargets.has(option.target) || option.target.startsWith('defaultApp.'))
      continue;
    t.not(getSetting(defaults, option.target), undefined, `${option.target} has a default`);
  }
});
