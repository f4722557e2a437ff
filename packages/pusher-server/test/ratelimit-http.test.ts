import test, { type ExecutionContext } from 'ava';
import { LocalRateLimiter } from '@meshpush/cluster-ratelimiter';
import uWS, { type us_listen_socket, type us_socket } from 'uWebSockets.js';
import { resolveApp, type App, type AppConfig } from '../src/app-manager/App.js';
import { defaultServerConfig } from '../src/config/ServerConfig.js';
import type { HttpApiContext } from '../src/http/HttpApiContext.js';
import { registerHttpApi } from '../src/http/registerHttpApi.js';
import { AppRateLimiter } from '../src/rate-limit/AppRateLimiter.js';
import { callApi, FakeAdapter, RecordingLogger, RecordingPublisher, type TestApi } from './http-support.js';

const LIMITED: AppConfig = {
  id: 'limited',
  key: 'key-l',
  secret: 'secret-l',
  maxBackendEventsPerSecond: 5,
  maxReadRequestsPerSecond: 2,
};
const FREE: AppConfig = { id: 'free', key: 'key-f', secret: 'secret-f' };
const ZERO: AppConfig = { id: 'zero', key: 'key-z', secret: 'secret-z', maxBackendEventsPerSecond: 0 };
const OFF: AppConfig = { id: 'off', key: 'key-o', secret: 'secret-o', enabled: false, maxBackendEventsPerSecond: 1 };

interface LimitedApi extends TestApi {
  readonly limiter: AppRateLimiter;
  advance(ms: number): void;
}

/** The HTTP API with per-app limits on a hand-driven limiter clock (signatures use the real one). */
async function startLimitedApi(t: ExecutionContext): Promise<LimitedApi> {
  const config = defaultServerConfig();
  const apps = new Map<string, App>([LIMITED, FREE, ZERO, OFF].map((c) => [c.id, resolveApp(c, config.limits)]));
  let limiterNow = 0;
  const limiter = new AppRateLimiter({ limiter: new LocalRateLimiter({ now: () => limiterNow }) });
  const adapter = new FakeAdapter();
  const publisher = new RecordingPublisher();
  const logger = new RecordingLogger();
  const ctx: HttpApiContext = {
    config,
    apps: { findByKey: () => undefined, findById: (id) => apps.get(id) },
    adapter: adapter.asAdapter(),
    publisher,
    logger,
    rateLimiter: limiter,
    isDraining: () => false,
    hasLeftCluster: () => false,
    nowMs: Date.now,
  };
  const app = uWS.App();
  registerHttpApi(app, ctx);
  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen('127.0.0.1', 0, (socket) => (socket ? resolve(socket) : reject(new Error('listen failed'))));
  });
  t.teardown(() => uWS.us_listen_socket_close(listenSocket));
  const port = uWS.us_socket_local_port(listenSocket as unknown as us_socket);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    adapter,
    publisher,
    logger,
    config,
    limiter,
    nowSec: () => Math.floor(Date.now() / 1000),
    setDraining: () => undefined,
    setLeftCluster: () => undefined,
    advance: (ms) => (limiterNow += ms),
  };
}

const event = (channels: string[]) => ({ name: 'e', data: '{}', channels });

test('a publish over the backend limit gets 429 with a JSON error, Retry-After and nothing is published', async (t) => {
  const api = await startLimitedApi(t);
  for (let i = 0; i < 5; i++)
    t.is((await callApi(api, 'POST', '/events', { app: LIMITED, body: event(['a']) })).status, 200);
  const refused = await callApi(api, 'POST', '/events', { app: LIMITED, body: event(['a']) });
  t.is(refused.status, 429);
  t.regex((refused.body as { error: string }).error, /5 backend events per second/);
  t.is(refused.headers.get('retry-after'), '1');
  t.is(refused.headers.get('x-ratelimit-limit'), '5');
  t.is(refused.headers.get('x-ratelimit-remaining'), '0');
  t.is(api.publisher.events.length, 5);
  api.advance(200);
  t.is((await callApi(api, 'POST', '/events', { app: LIMITED, body: event(['a']) })).status, 200, 'refilled');
});

test('an event counts one point per channel, a batch one per event (as soketi counts)', async (t) => {
  const api = await startLimitedApi(t);
  t.is((await callApi(api, 'POST', '/events', { app: LIMITED, body: event(['a', 'b', 'c', 'a']) })).status, 200);
  t.is(
    (await callApi(api, 'POST', '/events', { app: LIMITED, body: event(['a', 'b', 'c']) })).status,
    429,
    '3 unique channels, 2 points left',
  );
  t.is(
    (await callApi(api, 'POST', '/events', { app: LIMITED, body: { name: 'e', data: '{}', channel: 'x' } })).status,
    200,
  );
  api.advance(1000);
  const batch = (n: number) => ({
    batch: Array.from({ length: n }, (_, i) => ({ name: 'e', data: '{}', channel: `c${i}` })),
  });
  t.is((await callApi(api, 'POST', '/batch_events', { app: LIMITED, body: batch(4) })).status, 200);
  t.is((await callApi(api, 'POST', '/batch_events', { app: LIMITED, body: batch(2) })).status, 429);
  t.deepEqual(
    api.limiter.counts().find((c) => c.kind === 'backend_events'),
    { appId: 'limited', kind: 'backend_events', admitted: 8, rejected: 5 },
  );
});

test('reads have their own limit; publishes and terminations do not take from it', async (t) => {
  const api = await startLimitedApi(t);
  t.is((await callApi(api, 'GET', '/channels', { app: LIMITED })).status, 200);
  t.is((await callApi(api, 'GET', '/channels/a', { app: LIMITED })).status, 200);
  const refused = await callApi(api, 'GET', '/channels/a/users', { app: LIMITED, appId: LIMITED.id });
  t.is(refused.status, 429);
  t.regex((refused.body as { error: string }).error, /2 read requests per second/);
  t.is((await callApi(api, 'POST', '/events', { app: LIMITED, body: event(['a']) })).status, 200);
  t.is((await callApi(api, 'POST', '/users/u1/terminate_connections', { app: LIMITED, body: {} })).status, 200);
});

test("the 429 comes after 404, 401 and 403, and before the endpoint's own 400", async (t) => {
  const api = await startLimitedApi(t);
  for (let i = 0; i < 5; i++) await callApi(api, 'POST', '/events', { app: LIMITED, body: event(['a']) });
  t.is((await callApi(api, 'POST', '/events', { app: LIMITED, appId: 'nope', body: event(['a']) })).status, 404);
  t.is(
    (
      await callApi(api, 'POST', '/events', {
        app: LIMITED,
        body: event(['a']),
        // Flip the signature's first hex digit (a fixed '0' would leave one signature in 16 unchanged).
        tamper: (q) => q.replace(/auth_signature=(.)/, (_, c: string) => `auth_signature=${c === '0' ? '1' : '0'}`),
      })
    ).status,
    401,
  );
  t.is((await callApi(api, 'POST', '/events', { app: OFF, body: event(['a']) })).status, 403);
  t.is(
    (await callApi(api, 'POST', '/events', { app: OFF, body: event(['a']) })).status,
    403,
    'a disabled app takes no points',
  );
  t.is((await callApi(api, 'POST', '/events', { app: LIMITED, body: '{not json' })).status, 429);
  api.advance(1000);
  t.is((await callApi(api, 'POST', '/events', { app: LIMITED, body: '{not json' })).status, 400);
});

test('-1 (or absent) is unlimited; 0 refuses every publish, without Retry-After', async (t) => {
  const api = await startLimitedApi(t);
  for (let i = 0; i < 50; i++)
    t.is((await callApi(api, 'POST', '/events', { app: FREE, body: event(['a']) })).status, 200);
  const zero = await callApi(api, 'POST', '/events', { app: ZERO, body: event(['a']) });
  t.is(zero.status, 429);
  t.is(zero.headers.get('retry-after'), null);
  t.false(
    api.limiter.counts().some((c) => c.appId === 'free'),
    'unlimited apps are not tallied',
  );
});
