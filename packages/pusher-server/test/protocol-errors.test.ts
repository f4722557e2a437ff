import test from 'ava';
import { createHmac } from 'node:crypto';
import { pusherSdk, rawConnect } from '@meshpush/test-support';
import { defaultAppWith, httpBase, startServer } from './support/embeddedServer.js';

const sign = (text: string) => 'app-key:' + createHmac('sha256', 'app-secret').update(text).digest('hex');

test('malformed frames get pusher:error and the connection keeps working', async (t) => {
  const server = await startServer(t);
  const ws = await rawConnect(t, server.port);
  const cases: unknown[] = [
    '{oops',
    '"just a string"',
    '[1,2,3]',
    { no: 'event' },
    { event: 'pusher:unknown' },
    { event: 'not-client-prefixed' },
    Buffer.from([0, 1, 2]),
  ];
  for (const [i, message] of cases.entries()) {
    const before = ws.frames.length;
    ws.send(message);
    const error = await ws.next('pusher:error', { after: before });
    t.is(typeof error.data.message, 'string', `case ${i} explains itself`);
  }
  const before = ws.frames.length;
  ws.send({ event: 'pusher:ping', data: {} });
  await ws.next('pusher:pong', { after: before });
  t.pass();
});

test('a message over the payload limit is refused with pusher:error, the socket stays open', async (t) => {
  const server = await startServer(t, { limits: { maxEventPayloadKb: 10 } });
  const ws = await rawConnect(t, server.port);
  ws.send({ event: 'client-big', channel: 'private-x', data: 'x'.repeat(20 * 1024) });
  const error = await ws.next('pusher:error');
  t.regex(error.data.message, /larger than 10 KB/);
  const before = ws.frames.length;
  ws.send({ event: 'pusher:ping', data: {} });
  await ws.next('pusher:pong', { after: before });
});

test('a frame over the hard cap drops that connection only; the server keeps serving', async (t) => {
  const server = await startServer(t);
  const victim = await rawConnect(t, server.port);
  const other = await rawConnect(t, server.port);
  victim.send('x'.repeat(8 * 1024 * 1024));
  const closed = await victim.closed;
  t.not(closed.code, 1000);
  other.send({ event: 'pusher:ping', data: {} });
  await other.next('pusher:pong');
  t.is((await fetch(`${httpBase(server)}/ready`)).status, 200);
});

test("subscribing to private/presence without auth, with forged auth, or with another socket's auth is refused", async (t) => {
  const server = await startServer(t);
  const ws = await rawConnect(t, server.port);
  const other = await rawConnect(t, server.port);
  const attempts = [
    { channel: 'private-a' },
    { channel: 'private-a', auth: 'app-key:' + '0'.repeat(64) },
    { channel: 'private-a', auth: sign(`${other.socketId}:private-a`) },
    { channel: 'presence-a', auth: sign(`${ws.socketId}:presence-a`), channel_data: '{"user_id":"x"}' },
    { channel: 'private-a', auth: 'wrong-key:' + sign(`${ws.socketId}:private-a`).split(':')[1] },
  ];
  for (const data of attempts) {
    const before = ws.frames.length;
    ws.send({ event: 'pusher:subscribe', data });
    const error = await ws.next('pusher:subscription_error', { after: before });
    t.is(error.data.status, 401);
    t.is(error.data.type, 'AuthError');
  }
  ws.send({ event: 'pusher:subscribe', data: { channel: 'private-a', auth: sign(`${ws.socketId}:private-a`) } });
  await ws.next('pusher_internal:subscription_succeeded', { channel: 'private-a' });
});

test('invalid channel names and #server-to-user of someone else are refused', async (t) => {
  const server = await startServer(t);
  const ws = await rawConnect(t, server.port);
  for (const channel of ['has space', 'x'.repeat(201), '#server-to-user-someone', '#secret']) {
    const before = ws.frames.length;
    ws.send({ event: 'pusher:subscribe', data: { channel } });
    const error = await ws.next('pusher:subscription_error', { after: before });
    t.truthy(error.data.error);
  }
});

test('client events are refused with an error when the app does not enable them', async (t) => {
  const server = await startServer(t);
  const ws = await rawConnect(t, server.port);
  ws.send({ event: 'pusher:subscribe', data: { channel: 'private-c', auth: sign(`${ws.socketId}:private-c`) } });
  await ws.next('pusher_internal:subscription_succeeded');
  ws.send({ event: 'client-hi', channel: 'private-c', data: {} });
  const error = await ws.next('pusher:error');
  t.regex(error.data.message, /not enabled/);
});

test('unknown app key → 4001, wrong path → 4005, unsupported protocol → 4007', async (t) => {
  const server = await startServer(t);
  const cases: Array<[string, number]> = [
    ['/app/no-such-key?protocol=7', 4001],
    ['/not/a/pusher/path', 4005],
    ['/app/app-key?protocol=2', 4007],
  ];
  for (const [path, code] of cases) {
    const ws = await rawConnect(t, server.port, path);
    t.is((await ws.closed).code, code, path);
  }
});

test('a disabled app → 4003; over the connection quota → 4004', async (t) => {
  const disabled = await startServer(t, { apps: defaultAppWith({ enabled: false }) });
  t.is((await (await rawConnect(t, disabled.port)).closed).code, 4003);
  const quota = await startServer(t, { apps: defaultAppWith({ maxConnections: 1 }) });
  const first = await rawConnect(t, quota.port);
  t.truthy(first.socketId);
  t.is((await (await rawConnect(t, quota.port)).closed).code, 4004);
});

test('the REST API refuses a trigger to a wrong app id, 101 channels and 11 batch events', async (t) => {
  const server = await startServer(t);
  const sdk = pusherSdk(server);
  const wrongApp = pusherSdk(server, { appId: 'nope' });
  const status = async (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (e: any) => e.status as number,
    );
  t.is(await status(wrongApp.trigger('c', 'e', {})), 404);
  const channels = Array.from({ length: 101 }, (_, i) => `c${i}`);
  // The SDK JSON-encodes `body` itself (its typings say string); its `trigger` refuses 101 channels client-side.
  const body = { name: 'e', data: '{}', channels } as unknown as string;
  t.is(await status(sdk.post({ path: '/events', body })), 400);
  const batch = Array.from({ length: 11 }, (_, i) => ({ channel: `c${i}`, name: 'e', data: '{}' }));
  t.is(await status(sdk.triggerBatch(batch)), 400);
  t.is(await status(sdk.trigger('c', 'e', {})), 200, 'the server still works');
});
