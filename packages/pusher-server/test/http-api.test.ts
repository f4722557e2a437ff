import test from 'ava';
import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import { APP, callApi, loadPusherSdk, signedQuery, startTestApi, type TestApi } from './http-support.js';

function presenceAndPublic(api: TestApi): void {
  api.adapter.setCount(APP.id, 'presence-room', 3);
  api.adapter.setMembers(APP.id, 'presence-room', ['1', '2']);
  api.adapter.setCount(APP.id, 'news', 5);
  api.adapter.setCount(APP.id, 'vacant', 0);
}

test('health endpoints answer OK, /ready turns 503 while draining', async (t) => {
  const api = await startTestApi(t);
  for (const path of ['/', '/ready', '/accept-traffic']) {
    const res = await fetch(api.baseUrl + path);
    t.is(res.status, 200, path);
    t.is(await res.text(), 'OK', path);
  }
  api.setDraining(true);
  t.is((await fetch(api.baseUrl + '/ready')).status, 503);
  t.is((await fetch(api.baseUrl + '/')).status, 200);
});

test('/usage reports process memory and a percentage of the memory limit', async (t) => {
  const api = await startTestApi(t);
  const res = await fetch(api.baseUrl + '/usage');
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'application/json');
  const { memory } = (await res.json()) as { memory: Record<string, number> };
  for (const field of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers', 'limitBytes', 'percent']) {
    t.is(typeof memory[field], 'number', field);
  }
  t.true((memory['percent'] ?? -1) > 0 && (memory['percent'] ?? 101) < 100);
});

test('/cluster names the uWebSockets.js build this process runs on', async (t) => {
  const api = await startTestApi(t);
  const status = (await (await fetch(api.baseUrl + '/cluster')).json()) as { uws?: Record<string, unknown> };
  t.like(status.uws, { abi: process.versions.modules });
  t.regex(String(status.uws?.package), /uWebSockets\.js|uwebsockets\.js|uws-js-unofficial/);
  t.regex(String(status.uws?.version), /^\d+\.\d+\.\d+/);
});

test('/accept-traffic answers 503 over the memory threshold', async (t) => {
  const api = await startTestApi(t, { config: { acceptTrafficMemoryThresholdPercent: 0 } });
  const res = await fetch(api.baseUrl + '/accept-traffic');
  t.is(res.status, 503);
  t.regex(await res.text(), /over the threshold/);
});

test('CORS: API answers carry the allowed origin and preflights are answered', async (t) => {
  const api = await startTestApi(t, { config: { corsAllowOrigin: 'https://example.test' } });
  const preflight = await fetch(`${api.baseUrl}/apps/${APP.id}/events`, { method: 'OPTIONS' });
  t.is(preflight.status, 204);
  t.is(preflight.headers.get('content-length'), null);
  t.is(preflight.headers.get('access-control-allow-origin'), 'https://example.test');
  t.is(preflight.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
  t.regex(preflight.headers.get('access-control-allow-headers') ?? '', /Content-Type.*X-Requested-With.*Authorization/);
  const res = await callApi(api, 'GET', '/channels');
  t.is(res.headers.get('access-control-allow-origin'), 'https://example.test');
});

test('POST /events publishes to every channel, excluding socket_id, and answers {}', async (t) => {
  const api = await startTestApi(t);
  const res = await callApi(api, 'POST', '/events', {
    body: { name: 'greet', data: '{"hi":1}', channels: ['a', 'b', 'a'], socket_id: '123.456' },
  });
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'application/json');
  t.deepEqual(res.body, {});
  t.deepEqual(api.publisher.events, [
    { appId: APP.id, channel: 'a', event: 'greet', data: '{"hi":1}', exceptSocketId: '123.456' },
    { appId: APP.id, channel: 'b', event: 'greet', data: '{"hi":1}', exceptSocketId: '123.456' },
  ]);
});

test('POST /events accepts a single `channel` and reports counts when `info` is given', async (t) => {
  const api = await startTestApi(t);
  presenceAndPublic(api);
  const single = await callApi(api, 'POST', '/events', { body: { name: 'e', data: 'x', channel: 'news' } });
  t.deepEqual(single.body, {});
  const res = await callApi(api, 'POST', '/events', {
    body: { name: 'e', data: 'x', channels: ['presence-room', 'news'], info: 'user_count,subscription_count' },
  });
  t.is(res.status, 200);
  t.deepEqual(res.body, {
    channels: {
      'presence-room': { user_count: 2, subscription_count: 3 },
      news: { subscription_count: 5 },
    },
  });
  t.is(api.publisher.events.length, 3);
});

test('POST /batch_events publishes every event; `info` gives index-aligned counts', async (t) => {
  const api = await startTestApi(t);
  presenceAndPublic(api);
  const plain = await callApi(api, 'POST', '/batch_events', {
    body: {
      batch: [
        { name: 'a', data: '1', channel: 'news' },
        { name: 'b', data: '2', channel: 'other', socket_id: '1.2' },
      ],
    },
  });
  t.deepEqual(plain.body, {});
  t.deepEqual(
    api.publisher.events.map((e) => [e.channel, e.event, e.data, e.exceptSocketId]),
    [
      ['news', 'a', '1', undefined],
      ['other', 'b', '2', '1.2'],
    ],
  );
  const withInfo = await callApi(api, 'POST', '/batch_events', {
    body: {
      batch: [
        { name: 'a', data: '1', channel: 'presence-room', info: 'user_count' },
        { name: 'b', data: '2', channel: 'news' },
        { name: 'c', data: '3', channel: 'news', info: 'subscription_count' },
      ],
    },
  });
  t.deepEqual(withInfo.body, { batch: [{ user_count: 2 }, {}, { subscription_count: 5 }] });
});

test('GET /channels lists occupied channels, filtered by prefix, with counts', async (t) => {
  const api = await startTestApi(t);
  presenceAndPublic(api);
  t.deepEqual((await callApi(api, 'GET', '/channels')).body, { channels: { 'presence-room': {}, news: {} } });
  const presence = await callApi(api, 'GET', '/channels', {
    params: { filter_by_prefix: 'presence-', info: 'user_count,subscription_count' },
  });
  t.deepEqual(presence.body, { channels: { 'presence-room': { user_count: 2, subscription_count: 3 } } });
  const counts = await callApi(api, 'GET', '/channels', { params: { info: 'subscription_count' } });
  t.deepEqual(counts.body, {
    channels: { 'presence-room': { subscription_count: 3 }, news: { subscription_count: 5 } },
  });
});

test('GET /channels/:channel reports occupancy, counts and the cached event', async (t) => {
  const api = await startTestApi(t);
  presenceAndPublic(api);
  const now = Date.now();
  api.adapter.setCount(APP.id, 'cache-weather', 1);
  api.adapter.cache.set(`${APP.id}/cache-weather`, {
    frame: '{}',
    event: 'e',
    data: 'sunny',
    expiresAtMs: now + 90_500,
  });
  const presence = await callApi(api, 'GET', '/channels/presence-room', {
    params: { info: 'user_count,subscription_count' },
  });
  t.deepEqual(presence.body, { occupied: true, user_count: 2, subscription_count: 3 });
  t.deepEqual((await callApi(api, 'GET', '/channels/vacant')).body, { occupied: false });
  const cached = await callApi(api, 'GET', '/channels/cache-weather', { params: { info: 'cache' } });
  const cache = (cached.body as { cache: { data: string; ttl: number } }).cache;
  t.is(cache.data, 'sunny');
  t.true(cache.ttl >= 89 && cache.ttl <= 91);
  t.deepEqual((await callApi(api, 'GET', '/channels/cache-empty', { params: { info: 'cache' } })).body, {
    occupied: false,
  });
});

test('GET /channels/:channel/users lists presence members', async (t) => {
  const api = await startTestApi(t);
  presenceAndPublic(api);
  const res = await callApi(api, 'GET', '/channels/presence-room/users');
  t.deepEqual(res.body, { users: [{ id: '1' }, { id: '2' }] });
});

test('POST /users/:userId/terminate_connections asks the publisher to close the user', async (t) => {
  const api = await startTestApi(t);
  const res = await callApi(api, 'POST', '/users/user%2042/terminate_connections', { body: {} });
  t.is(res.status, 200);
  t.deepEqual(res.body, {});
  t.deepEqual(api.publisher.terminated, [{ appId: APP.id, userId: 'user 42' }]);
});

test('every route lives under the path prefix, which is part of the signed path', async (t) => {
  const api = await startTestApi(t, { config: { pathPrefix: '/pusher' } });
  t.is((await callApi(api, 'GET', '/channels')).status, 200);
  t.is((await fetch(`${api.baseUrl}/pusher/ready`)).status, 200);
  t.is((await fetch(`${api.baseUrl}/pusher`)).status, 200);
  const unprefixedPath = `/apps/${APP.id}/channels`;
  const query = signedQuery({
    method: 'GET',
    path: unprefixedPath,
    key: APP.key,
    secret: APP.secret,
    timestampSec: api.nowSec(),
  });
  t.is((await fetch(`${api.baseUrl}${unprefixedPath}?${query}`)).status, 404);
});

test('an asynchronous app manager works the same', async (t) => {
  const api = await startTestApi(t, { asyncApps: true });
  const res = await callApi(api, 'POST', '/events', { body: { name: 'e', data: 'x', channel: 'news' } });
  t.is(res.status, 200);
  t.is(api.publisher.events.length, 1);
  t.is((await callApi(api, 'GET', '/channels', { appId: 'nope' })).status, 404);
});

function getOverAgent(url: string, agent: Agent): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent }, (res: IncomingMessage) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('requests share one keep-alive connection, also after an error answer', async (t) => {
  const api = await startTestApi(t);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const query = () =>
    signedQuery({
      method: 'GET',
      path: `/apps/${APP.id}/channels`,
      key: APP.key,
      secret: APP.secret,
      timestampSec: api.nowSec(),
    });
  const first = await getOverAgent(`${api.baseUrl}/apps/${APP.id}/channels?${query()}`, agent);
  const second = await getOverAgent(`${api.baseUrl}/apps/${APP.id}/channels?${query()}&x=tampered`, agent);
  const third = await getOverAgent(`${api.baseUrl}/apps/${APP.id}/channels?${query()}`, agent);
  t.deepEqual(
    [first, second, third],
    [
      { status: 200, reused: false },
      { status: 401, reused: true },
      { status: 200, reused: true },
    ],
  );
});

test('a draining node closes each API connection after its answer, and refuses events once it left the cluster', async (t) => {
  const api = await startTestApi(t);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const pusher = new (loadPusherSdk())({
    appId: APP.id,
    key: APP.key,
    secret: APP.secret,
    host: '127.0.0.1',
    port: String(api.port),
  });
  const channelsUrl = (): string =>
    `${api.baseUrl}/apps/${APP.id}/channels?${signedQuery({
      method: 'GET',
      path: `/apps/${APP.id}/channels`,
      key: APP.key,
      secret: APP.secret,
      timestampSec: api.nowSec(),
    })}`;
  t.deepEqual(await getOverAgent(channelsUrl(), agent), { status: 200, reused: false });
  api.setDraining(true);
  // Still in the cluster: served, but the keep-alive connection ends with the answer.
  t.deepEqual(await getOverAgent(channelsUrl(), agent), { status: 200, reused: true });
  t.deepEqual(await getOverAgent(channelsUrl(), agent), { status: 200, reused: false }, 'a new connection');
  const accepted = (await pusher.trigger('news', 'before-leaving', { n: 1 })) as unknown as { status: number };
  t.is(accepted.status, 200);
  api.setLeftCluster(true);
  const refused = await callApi(api, 'POST', '/events', { body: { name: 'lost?', channel: 'news', data: '{}' } });
  t.is(refused.status, 503);
  t.regex(String((refused.body as { error?: string }).error), /shutting down: send the request again/);
  const sdkError: unknown = await pusher.trigger('news', 'after-leaving', { n: 2 }).catch((error: unknown) => error);
  t.is((sdkError as { status?: number }).status, 503, 'the SDK reports the refusal to its caller');
  t.deepEqual(
    api.publisher.events.map((event) => event.event),
    ['before-leaving'],
    'nothing accepted after leaving',
  );
});

test('the real pusher SDK drives every endpoint', async (t) => {
  const api = await startTestApi(t);
  presenceAndPublic(api);
  const Pusher = loadPusherSdk();
  const pusher = new Pusher({
    appId: APP.id,
    key: APP.key,
    secret: APP.secret,
    host: '127.0.0.1',
    port: api.port,
    useTLS: false,
  });
  t.deepEqual(
    await (await pusher.trigger(['news', 'presence-room'], 'evt', { n: 1 }, { socket_id: '1.1' })).json(),
    {},
  );
  t.deepEqual(await (await pusher.triggerBatch([{ channel: 'news', name: 'b', data: { n: 2 } }])).json(), {});
  t.deepEqual(
    api.publisher.events.map((e) => [e.channel, e.event, e.data, e.exceptSocketId]),
    [
      ['news', 'evt', '{"n":1}', '1.1'],
      ['presence-room', 'evt', '{"n":1}', '1.1'],
      ['news', 'b', '{"n":2}', undefined],
    ],
  );
  const listed = await (
    await pusher.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } })
  ).json();
  t.deepEqual(listed, { channels: { 'presence-room': { user_count: 2 } } });
  t.deepEqual(await (await pusher.get({ path: '/channels/presence-room/users' })).json(), {
    users: [{ id: '1' }, { id: '2' }],
  });
  t.deepEqual(await (await pusher.terminateUserConnections('u1')).json(), {});
  t.deepEqual(api.publisher.terminated, [{ appId: APP.id, userId: 'u1' }]);
});
