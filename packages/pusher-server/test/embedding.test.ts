import type { RateLimitDecision, RateLimiter } from '@meshpush/cluster-ratelimiter';
import test from 'ava';
import WebSocket from 'ws';
import {
  createServer,
  defaultLimits,
  defaultServerConfig,
  resolveApp,
  resolveServerConfig,
  type AppManager,
  type Logger,
  type MeshpushServer,
} from '../src/index.js';

// The embedding API as a host application uses it: partial config, hooks, real sockets on 127.0.0.1.

test('resolveServerConfig: no input gives every default', (t) => {
  t.deepEqual(resolveServerConfig(), defaultServerConfig());
  t.deepEqual(resolveServerConfig({}), defaultServerConfig());
});

test('resolveServerConfig: nested groups merge field by field, arrays and scalars replace', (t) => {
  const config = resolveServerConfig({
    port: 0,
    host: undefined,
    limits: { maxEventBatchSize: 3 },
    metrics: { enabled: true, port: undefined },
    cluster: { seeds: ['10.0.0.5:11002'] },
    apps: [{ id: '1', key: 'k', secret: 's' }],
  });
  const defaults = defaultServerConfig();
  t.is(config.port, 0);
  t.is(config.host, defaults.host);
  t.deepEqual(config.limits, { ...defaults.limits, maxEventBatchSize: 3 });
  t.deepEqual(config.metrics, { ...defaults.metrics, enabled: true });
  t.deepEqual(config.cluster.seeds, ['10.0.0.5:11002']);
  t.is(config.cluster.port, defaults.cluster.port);
  t.deepEqual(config.apps, [{ id: '1', key: 'k', secret: 's' }]);
});

test('resolveServerConfig: a bad value is refused with the field name', (t) => {
  t.throws(() => resolveServerConfig({ port: 70000 }), { instanceOf: TypeError, message: /^port must be an integer/ });
  t.throws(() => resolveServerConfig({ metrics: { port: -1 } }), { message: /^metrics\.port/ });
  t.throws(() => resolveServerConfig({ cluster: { port: 1.5 } }), { message: /^cluster\.port/ });
  t.throws(() => resolveServerConfig({ host: '' }), { message: /^host must be/ });
  t.throws(() => resolveServerConfig({ prot: 6001 } as never), { message: /^unknown setting 'prot'/ });
  t.throws(() => resolveServerConfig({ apps: [{ id: 'a', key: '', secret: 's' }] }), { message: /^apps\[0\]\.key/ });
});

test('createServer refuses a cluster driver without an adapter instead of running alone', (t) => {
  t.throws(() => createServer({ adapter: { driver: 'cluster' } }), {
    instanceOf: TypeError,
    message: /no adapter was given/,
  });
});

test('an embedded server: partial config, app manager, rate limiter and logger hooks, ports, stop', async (t) => {
  const lines: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (message) => lines.push(message),
    warn: (message) => lines.push(message),
    error: (message) => lines.push(message),
  };
  const keysAsked: string[] = [];
  const appManager: AppManager = {
    findByKey: (key) => {
      keysAsked.push(key);
      return key === 'host-key' ? resolveApp({ id: 'host-app', key, secret: 'host-secret' }, defaultLimits) : undefined;
    },
    findById: (id) =>
      id === 'host-app' ? resolveApp({ id, key: 'host-key', secret: 'host-secret' }, defaultLimits) : undefined,
  };
  const rateLimiter = new RecordingLimiter();
  const server = createServer({ host: '127.0.0.1', port: 0 }, { logger, appManager, rateLimiter });
  t.teardown(() => server.stop());
  t.is(server.port, 0);
  t.is(server.config.activityTimeoutSec, defaultServerConfig().activityTimeoutSec);

  await server.start();
  t.true(server.port > 0);
  t.is(server.metricsPort, 0);
  t.true(lines.includes('listening'));
  t.is((await fetch(url(server, '/ready'))).status, 200);

  t.is(await firstEvent(server, 'host-key'), 'pusher:connection_established');
  t.is(await firstEvent(server, 'app-key'), 'pusher:error'); // the config's default app is not served
  t.deepEqual(keysAsked, ['host-key', 'app-key']);

  await server.stop();
  t.true(rateLimiter.closed);
  t.true(lines.includes('stopped'));
  await t.throwsAsync(fetch(url(server, '/ready')));
});

test('a port already taken makes start() reject, naming the address', async (t) => {
  const first = createServer({ host: '127.0.0.1', port: 0 });
  t.teardown(() => first.stop());
  await first.start();
  const second = createServer({ host: '127.0.0.1', port: first.port });
  t.teardown(() => second.stop());
  await t.throwsAsync(second.start(), { message: /Cannot listen on 127\.0\.0\.1/ });
});

class RecordingLimiter implements RateLimiter {
  readonly driver = 'recording';
  closed = false;
  consume(): RateLimitDecision {
    return { allowed: true, remaining: Infinity, retryAfterMs: 0 };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function url(server: MeshpushServer, path: string): string {
  return `http://127.0.0.1:${server.port}${path}`;
}

/** Connects a raw WebSocket with `key` and resolves with the name of the first event the server sends. */
function firstEvent(server: MeshpushServer, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/app/${key}?protocol=7`);
    const deadline = setTimeout(() => reject(new Error('no event within 10 s')), 10_000);
    socket.once('message', (data) => {
      clearTimeout(deadline);
      socket.close();
      resolve((JSON.parse(String(data)) as { event: string }).event);
    });
    socket.once('error', reject);
  });
}
