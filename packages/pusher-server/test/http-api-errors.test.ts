import test from 'ava';
import { connect } from 'node:net';
import {
  APP,
  DISABLED_APP,
  FAILING_APP_ID,
  TINY_APP,
  callApi,
  signedQuery,
  startTestApi,
  type ApiResponse,
} from './http-support.js';

const EVENT = { name: 'e', data: 'x', channel: 'news' };

function assertError(
  t: { is(a: unknown, b: unknown, m?: string): void; regex(a: string, r: RegExp, m?: string): void },
  res: ApiResponse,
  status: number,
  message: RegExp,
): void {
  t.is(res.status, status, JSON.stringify(res.body));
  t.is(res.headers.get('content-type'), 'application/json');
  const error = (res.body as { error?: unknown }).error;
  t.regex(typeof error === 'string' ? error : '', message);
}

test('unknown app id → 404, checked before the signature', async (t) => {
  const api = await startTestApi(t);
  assertError(t, await callApi(api, 'GET', '/channels', { appId: 'nope' }), 404, /Unknown app id "nope"/);
  assertError(
    t,
    await callApi(api, 'GET', '/channels', { appId: 'nope', tamper: (q) => q + 'x' }),
    404,
    /Unknown app id/,
  );
});

test('signature problems → 401 with the reason', async (t) => {
  const api = await startTestApi(t);
  assertError(
    t,
    await callApi(api, 'POST', '/events', {
      body: EVENT,
      tamper: (q) => q.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
    }),
    401,
    /Invalid auth_signature/,
  );
  assertError(
    t,
    await callApi(api, 'POST', '/events', { body: EVENT, timestampSec: api.nowSec() - 601 }),
    401,
    /expired/,
  );
  assertError(
    t,
    await callApi(api, 'POST', '/events', { body: EVENT, timestampSec: api.nowSec() + 601 }),
    401,
    /ahead/,
  );
  assertError(
    t,
    await callApi(api, 'POST', '/events', {
      body: EVENT,
      tamper: (q) => q.replace(/body_md5=[0-9a-f]+/, 'body_md5=' + '0'.repeat(32)),
    }),
    401,
    /body_md5 does not match/,
  );
  assertError(
    t,
    await callApi(api, 'GET', '/channels', { app: { ...APP, key: 'wrong-key' } }),
    401,
    /auth_key does not match/,
  );
  assertError(
    t,
    await callApi(api, 'GET', '/channels', { app: { ...APP, secret: 'wrong-secret' } }),
    401,
    /Invalid auth_signature/,
  );
  const unsigned = await fetch(`${api.baseUrl}/apps/${APP.id}/channels`);
  t.is(unsigned.status, 401);
  t.deepEqual(api.publisher.events, []);
});

test('disabled app → 403, but only for a correctly signed request', async (t) => {
  const api = await startTestApi(t);
  assertError(t, await callApi(api, 'POST', '/events', { app: DISABLED_APP, body: EVENT }), 403, /disabled/);
  assertError(
    t,
    await callApi(api, 'POST', '/events', { app: { ...DISABLED_APP, secret: 'x' }, body: EVENT }),
    401,
    /auth_signature/,
  );
  t.deepEqual(api.publisher.events, []);
});

test('invalid events → 400', async (t) => {
  const api = await startTestApi(t);
  const post = (body: unknown) => callApi(api, 'POST', '/events', { body });
  assertError(t, await post('{"name": "e", '), 400, /not valid JSON/);
  assertError(t, await post('[1,2]'), 400, /must be a JSON object/);
  const channels101 = Array.from({ length: 101 }, (_, i) => `c${i}`);
  assertError(
    t,
    await post({ name: 'e', data: 'x', channels: channels101 }),
    400,
    /Too many channels: 101 \(at most 100/,
  );
  assertError(t, await post({ name: 'e', data: 'x', channels: [] }), 400, /At least one channel/);
  assertError(t, await post({ name: 'e', data: 'x' }), 400, /Missing channels/);
  assertError(t, await post({ name: 'e', data: 'x', channel: 'bad name!' }), 400, /Invalid channel "bad name!"/);
  assertError(t, await post({ name: 'e', data: 'x', channels: 'news' }), 400, /channels must be an array/);
  assertError(t, await post({ data: 'x', channel: 'news' }), 400, /Event name must be a non-empty string/);
  assertError(t, await post({ name: 'e'.repeat(201), data: 'x', channel: 'news' }), 400, /longer than 200/);
  assertError(t, await post({ name: 'e', data: { a: 1 }, channel: 'news' }), 400, /data must be a string/);
  assertError(t, await post({ ...EVENT, socket_id: 'abc' }), 400, /socket_id/);
  assertError(t, await post({ ...EVENT, info: 'user_count,bogus' }), 400, /Unsupported info attribute "bogus"/);
  t.deepEqual(api.publisher.events, []);
});

test('event data over maxEventPayloadKb → 413, counted in UTF-8 bytes', async (t) => {
  const api = await startTestApi(t);
  const limit = api.config.limits.maxEventPayloadKb * 1024;
  assertError(
    t,
    await callApi(api, 'POST', '/events', { body: { ...EVENT, data: 'x'.repeat(limit + 1) } }),
    413,
    /larger than 100 KiB/,
  );
  // 'é' is one UTF-16 unit but two UTF-8 bytes.
  assertError(
    t,
    await callApi(api, 'POST', '/events', { body: { ...EVENT, data: 'é'.repeat(limit / 2 + 1) } }),
    413,
    /larger than/,
  );
  t.is((await callApi(api, 'POST', '/events', { body: { ...EVENT, data: 'x'.repeat(limit) } })).status, 200);
});

test('batches are checked whole before anything is published', async (t) => {
  const api = await startTestApi(t);
  const batch = (items: unknown[]) => callApi(api, 'POST', '/batch_events', { body: { batch: items } });
  const eleven = Array.from({ length: 11 }, () => EVENT);
  assertError(t, await batch(eleven), 400, /Too many events in one batch: 11 \(at most 10\)/);
  assertError(
    t,
    await batch([EVENT, { name: 'e', data: 'x', channel: 'bad name!' }]),
    400,
    /^batch\[1\]: Invalid channel/,
  );
  assertError(t, await batch([EVENT, { name: 'e', data: 'x' }]), 400, /^batch\[1\]: Missing channel/);
  assertError(t, await batch([EVENT, 'nope']), 400, /^batch\[1\]: each event must be a JSON object/);
  assertError(
    t,
    await batch([EVENT, { ...EVENT, data: 'x'.repeat(102_401) }]),
    413,
    /^batch\[1\]: Event data is larger/,
  );
  assertError(t, await callApi(api, 'POST', '/batch_events', { body: { events: [] } }), 400, /batch must be an array/);
  t.deepEqual(api.publisher.events, []);
});

test('channel queries refuse attributes the channel type does not have', async (t) => {
  const api = await startTestApi(t);
  const get = (path: string, info?: string, prefix?: string) =>
    callApi(api, 'GET', path, {
      params: { ...(info ? { info } : {}), ...(prefix ? { filter_by_prefix: prefix } : {}) },
    });
  assertError(t, await get('/channels', 'user_count'), 400, /requires filter_by_prefix=presence-/);
  assertError(t, await get('/channels', 'user_count', 'private-'), 400, /requires filter_by_prefix/);
  assertError(t, await get('/channels', 'cache'), 400, /Unsupported info attribute "cache"/);
  assertError(t, await get('/channels/news', 'user_count'), 400, /only available for presence channels/);
  assertError(t, await get('/channels/news', 'cache'), 400, /only available for cache channels/);
  assertError(t, await get('/channels/news', 'colour'), 400, /Unsupported info attribute "colour"/);
  assertError(t, await get('/channels/bad%20name'), 400, /may contain only/);
  assertError(t, await get('/channels/news/users'), 400, /only be listed for presence channels/);
});

test('unknown paths → 404 JSON', async (t) => {
  const api = await startTestApi(t);
  for (const [method, path] of [
    ['GET', '/nope'],
    ['POST', '/nope'],
    ['GET', `/apps/${APP.id}`],
    ['GET', `/apps/${APP.id}/events/extra`],
    ['DELETE', `/apps/${APP.id}/nope`],
  ] as const) {
    const res = await fetch(api.baseUrl + path, { method });
    t.is(res.status, 404, `${method} ${path}`);
    t.is(res.headers.get('allow'), null, `${method} ${path}`);
    t.deepEqual(await res.json(), { error: 'Not found' });
  }
});

test('a wrong method on a known path → 405 JSON with Allow, before the app or signature is checked', async (t) => {
  const api = await startTestApi(t);
  for (const [method, path, allow] of [
    ['DELETE', `/apps/${APP.id}/events`, 'POST'],
    ['GET', `/apps/${APP.id}/events`, 'POST'],
    ['PUT', `/apps/nope/batch_events`, 'POST'],
    ['POST', `/apps/${APP.id}/channels`, 'GET'],
    ['DELETE', `/apps/${APP.id}/channels/news`, 'GET'],
    ['POST', `/apps/${APP.id}/channels/presence-room/users`, 'GET'],
    ['GET', `/apps/${APP.id}/users/u1/terminate_connections`, 'POST'],
    ['POST', '/ready', 'GET'],
    ['DELETE', '/', 'GET'],
  ] as const) {
    const res = await fetch(api.baseUrl + path, { method });
    t.is(res.status, 405, `${method} ${path}`);
    t.is(res.headers.get('allow'), allow, `${method} ${path}`);
    t.is(res.headers.get('content-type'), 'application/json');
    t.deepEqual(await res.json(), { error: `Method not allowed (allowed: ${allow})` });
  }
  t.deepEqual(api.publisher.events, []);
  t.is((await callApi(api, 'POST', '/events', { body: EVENT })).status, 200, 'the right method still works');
  t.is((await fetch(`${api.baseUrl}/apps/${APP.id}/events`, { method: 'OPTIONS' })).status, 204, 'preflight');
});

test('under a path prefix, only the prefixed paths answer 405', async (t) => {
  const api = await startTestApi(t, { config: { pathPrefix: '/pusher' } });
  const prefixed = await fetch(`${api.baseUrl}/pusher/apps/${APP.id}/events`);
  t.is(prefixed.status, 405);
  t.is(prefixed.headers.get('allow'), 'POST');
  t.is((await fetch(`${api.baseUrl}/apps/${APP.id}/events`)).status, 404);
  t.is((await fetch(`${api.baseUrl}/pusher`, { method: 'POST' })).status, 405);
});

test('a failing app lookup → 500 JSON and an error log line', async (t) => {
  for (const asyncApps of [false, true]) {
    const api = await startTestApi(t, { asyncApps });
    assertError(t, await callApi(api, 'GET', '/channels', { appId: FAILING_APP_ID }), 500, /Could not look up the app/);
    t.true(api.logger.lines.some((l) => l.level === 'error' && /database is down/.test(String(l.fields?.['error']))));
  }
});

test('an unexpected fault in an endpoint → 500 JSON, logged, and the server keeps serving', async (t) => {
  const api = await startTestApi(t);
  api.adapter.failReads = true;
  assertError(t, await callApi(api, 'GET', '/channels'), 500, /Internal server error/);
  t.true(api.logger.lines.some((l) => l.level === 'error' && /adapter read failed/.test(String(l.fields?.['error']))));
  api.adapter.failReads = false;
  t.is((await callApi(api, 'GET', '/channels')).status, 200);
});

/** Sends raw bytes and collects everything the server answers until it closes the connection. */
function rawExchange(port: number, request: string, timeoutMs = 5000): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closed: false });
    }, timeoutMs);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closed: true });
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

test('a body over the hard cap → 413 without reading it, and that connection is closed', async (t) => {
  // With an asynchronous app manager the app's cap is applied once the lookup settles.
  for (const asyncApps of [false, true]) {
    const api = await startTestApi(t, { asyncApps });
    const path = `/apps/${TINY_APP.id}/events`;
    // TINY_APP: 1 KiB × 1 event × 2 + 64 KiB = 67,584 bytes; only the headers are sent.
    const query = signedQuery({
      method: 'POST',
      path,
      key: TINY_APP.key,
      secret: TINY_APP.secret,
      timestampSec: api.nowSec(),
      body: '{}',
    });
    const headers = `POST ${path}?${query} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n`;
    const { answer, closed } = await rawExchange(api.port, headers);
    t.regex(answer, /^HTTP\/1\.1 413 Payload Too Large\r\n/);
    t.regex(answer, /\{"error":"Request body is larger than 67584 bytes"\}$/);
    t.true(closed);
    t.deepEqual(api.publisher.events, []);
  }
});

test('a chunked body that grows past the cap → 413, and that connection is closed', async (t) => {
  const api = await startTestApi(t);
  const path = `/apps/${TINY_APP.id}/events`;
  const query = signedQuery({
    method: 'POST',
    path,
    key: TINY_APP.key,
    secret: TINY_APP.secret,
    timestampSec: api.nowSec(),
    body: '{}',
  });
  const chunk = 'x'.repeat(40_000);
  const request =
    `POST ${path}?${query} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n` +
    `${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(2);
  const { answer, closed } = await rawExchange(api.port, request);
  t.regex(answer, /^HTTP\/1\.1 413 Payload Too Large\r\n/);
  t.true(closed);
  t.deepEqual(api.publisher.events, []);
});
