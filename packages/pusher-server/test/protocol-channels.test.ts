import test from 'ava';
import {
  authorizedClient,
  nextEvent,
  pusherClient,
  pusherSdk,
  rawConnect,
  subscribed,
  waitFor,
} from '@meshpush/test-support';
import { defaultAppWith, startServer } from './support/embeddedServer.js';

test('public channel: a pusher-js client receives an event triggered with the pusher SDK', async (t) => {
  const server = await startServer(t);
  const client = pusherClient(t, server);
  const { channel } = await subscribed(client, 'my-channel');
  const received = nextEvent(channel, 'my-event');
  await pusherSdk(server).trigger('my-channel', 'my-event', { hello: 'world' });
  t.deepEqual(await received, { hello: 'world' });
});

test('private channel with SDK-signed auth; socket_id excludes the sender', async (t) => {
  const server = await startServer(t);
  const a = authorizedClient(t, server);
  const b = authorizedClient(t, server);
  const [{ channel: chA }, { channel: chB }] = await Promise.all([
    subscribed(a, 'private-orders'),
    subscribed(b, 'private-orders'),
  ]);
  let aGot = 0;
  chA.bind('order', () => aGot++);
  const bGot = nextEvent(chB, 'order');
  await pusherSdk(server).trigger('private-orders', 'order', { id: 1 }, { socket_id: a.connection.socket_id });
  t.deepEqual(await bGot, { id: 1 });
  // A second event that A does receive proves A's silence above was the exclusion.
  const aSecond = nextEvent(chA, 'order-2');
  await pusherSdk(server).trigger('private-orders', 'order-2', {});
  await aSecond;
  t.is(aGot, 0);
});

test('private-encrypted channel: the server relays ciphertext it cannot read, the client decrypts', async (t) => {
  const server = await startServer(t);
  const masterKey = Buffer.alloc(32, 7).toString('base64');
  const sdk = pusherSdk(server, { encryptionMasterKeyBase64: masterKey });
  const client = pusherClient(t, server, {
    channelAuthorization: {
      customHandler: ({ socketId, channelName }: any, cb: any) => cb(null, sdk.authorizeChannel(socketId, channelName)),
    },
  });
  const { channel } = await subscribed(client, 'private-encrypted-vault');
  const received = nextEvent(channel, 'secret');
  await sdk.trigger('private-encrypted-vault', 'secret', { code: 42 });
  t.deepEqual(await received, { code: 42 });
});

test('presence channel: members across clients, member_added/removed once per user', async (t) => {
  const server = await startServer(t);
  const ann = authorizedClient(t, server, { id: 'ann', info: { name: 'Ann' } });
  const { channel: annChannel } = await subscribed(ann, 'presence-room');
  const added = nextEvent(annChannel, 'pusher:member_added');
  const bob1 = authorizedClient(t, server, { id: 'bob' });
  const { data: members } = await subscribed(bob1, 'presence-room');
  t.is(members.count, 2);
  t.deepEqual(members.get('ann'), { id: 'ann', info: { name: 'Ann' } });
  t.is((await added).id, 'bob');

  let addedAgain = 0;
  annChannel.bind('pusher:member_added', () => addedAgain++);
  const bob2 = authorizedClient(t, server, { id: 'bob' });
  await subscribed(bob2, 'presence-room');
  const users = await (await pusherSdk(server).get({ path: '/channels/presence-room/users' })).json();
  t.deepEqual(users.users.map((u: any) => u.id).sort(), ['ann', 'bob']);

  const removed = nextEvent(annChannel, 'pusher:member_removed');
  bob1.disconnect();
  bob2.disconnect();
  t.is((await removed).id, 'bob');
  t.is(addedAgain, 0, 'a second connection of bob is not a new member');
});

test('cache channel: a late subscriber gets the last event; an empty one gets pusher:cache_miss', async (t) => {
  const server = await startServer(t);
  const client = pusherClient(t, server);
  const empty = client.subscribe('cache-empty');
  await nextEvent(empty, 'pusher:cache_miss');
  await pusherSdk(server).trigger('cache-prices', 'price', { v: 3 });
  const late = client.subscribe('cache-prices');
  t.deepEqual(await nextEvent(late, 'price'), { v: 3 });
  const info = await (
    await pusherSdk(server).get({ path: '/channels/cache-prices', params: { info: 'cache' } })
  ).json();
  t.is(JSON.parse(info.cache.data).v, 3);
});

test('subscription_count reaches subscribers when the app enables it', async (t) => {
  const server = await startServer(t, { apps: defaultAppWith({ enableSubscriptionCount: true }) });
  const a = pusherClient(t, server);
  const { channel } = await subscribed(a, 'counted');
  const counts: number[] = [];
  channel.bind('pusher:subscription_count', (d: any) => counts.push(d.subscription_count));
  const b = pusherClient(t, server);
  await subscribed(b, 'counted');
  await waitFor(() => counts.includes(2), { timeoutMs: 5000, message: 'subscription_count 2 never arrived' });
  t.true(counts.includes(2));
});

test('a connection subscribes to at most limits.maxChannelsPerConnection channels; past it a clear subscription_error', async (t) => {
  const server = await startServer(t, { limits: { maxChannelsPerConnection: 3 } });
  const socket = await rawConnect(t, server.port);
  const subscribe = (channel: string) => socket.send({ event: 'pusher:subscribe', data: { channel } });
  for (const channel of ['one', 'two', 'three']) {
    subscribe(channel);
    await socket.next('pusher_internal:subscription_succeeded', { channel });
  }
  subscribe('four');
  const refused = await socket.next('pusher:subscription_error', { channel: 'four' });
  t.like(refused.data, { type: 'LimitReached', status: 4100 });
  t.regex(refused.data.error, /subscribed to 3 channels, the most allowed/);
  // Subscribing again to a channel it has is no new subscription.
  const before = socket.frames.length;
  subscribe('two');
  await socket.next('pusher_internal:subscription_succeeded', { channel: 'two', after: before });
  socket.send({ event: 'pusher:unsubscribe', data: { channel: 'one' } });
  subscribe('four');
  await socket.next('pusher_internal:subscription_succeeded', { channel: 'four' });
  const received = socket.next('news', { channel: 'four' });
  await pusherSdk(server).trigger('four', 'news', {});
  await received;
  t.pass();
});
