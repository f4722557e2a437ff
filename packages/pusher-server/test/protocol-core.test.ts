import test from 'ava';
import { createHarness, presenceSubscribe, privateAuth, signin } from './support/fakeSockets.js';

test('connection_established carries a socket id the pusher SDK accepts and the activity timeout', async (t) => {
  const h = await createHarness();
  const { socket } = h.connect();
  const [established] = socket.events('pusher:connection_established');
  t.regex(established?.data.socket_id, /^\d+\.\d+$/);
  t.is(established?.data.activity_timeout, h.config.activityTimeoutSec);
});

test('public channel: subscribe succeeds and triggered events reach every subscriber', async (t) => {
  const h = await createHarness();
  const a = h.connect();
  const b = h.connect();
  h.send(a.connection, { event: 'pusher:subscribe', data: { channel: 'news' } });
  h.send(b.connection, { event: 'pusher:subscribe', data: { channel: 'news' } });
  t.is(a.socket.events('pusher_internal:subscription_succeeded').length, 1);
  h.publisher.publishEvent(h.app, 'news', 'update', '{"n":1}');
  t.deepEqual(a.socket.events('update')[0]?.data, { n: 1 });
  t.deepEqual(b.socket.events('update')[0]?.data, { n: 1 });
});

test('publish with socket_id excludes that socket only', async (t) => {
  const h = await createHarness();
  const a = h.connect();
  const b = h.connect();
  for (const c of [a, b]) h.send(c.connection, { event: 'pusher:subscribe', data: { channel: 'news' } });
  h.publisher.publishEvent(h.app, 'news', 'update', 'x', a.connection.id);
  t.is(a.socket.events('update').length, 0);
  t.is(b.socket.events('update').length, 1);
});

test('private channel: a forged signature or one for another socket is refused with 401', async (t) => {
  const h = await createHarness();
  const a = h.connect();
  const b = h.connect();
  h.send(a.connection, { event: 'pusher:subscribe', data: { channel: 'private-x', auth: 'app-key:deadbeef' } });
  h.send(a.connection, {
    event: 'pusher:subscribe',
    data: { channel: 'private-x', auth: privateAuth(h.app, b.connection.id, 'private-x') },
  });
  const errors = a.socket.events('pusher:subscription_error');
  t.is(errors.length, 2);
  t.is(errors[0]?.data.status, 401);
  t.is(errors[0]?.data.type, 'AuthError');
  h.send(a.connection, {
    event: 'pusher:subscribe',
    data: { channel: 'private-x', auth: privateAuth(h.app, a.connection.id, 'private-x') },
  });
  t.is(a.socket.events('pusher_internal:subscription_succeeded').length, 1);
});

test('presence: member list on join, member_added to others only, one member per user, removed on last leave', async (t) => {
  const h = await createHarness();
  const a = h.connect();
  const b1 = h.connect();
  const b2 = h.connect();
  h.send(
    a.connection,
    presenceSubscribe(h.app, a.connection.id, 'presence-room', { user_id: 'ann', user_info: { n: 1 } }),
  );
  h.send(b1.connection, presenceSubscribe(h.app, b1.connection.id, 'presence-room', { user_id: 7 }));
  h.send(b2.connection, presenceSubscribe(h.app, b2.connection.id, 'presence-room', { user_id: 7 }));
  const joined = b1.socket.events('pusher_internal:subscription_succeeded')[0]?.data.presence;
  t.deepEqual(joined?.ids.sort(), ['7', 'ann']);
  t.deepEqual(joined?.hash.ann, { n: 1 });
  t.deepEqual(
    a.socket.events('pusher_internal:member_added').map((e) => e.data.user_id),
    ['7'],
  );
  t.is(b1.socket.events('pusher_internal:member_added').length, 0, 'no member_added for the joiner itself');
  b1.socket.close(1000, 'bye');
  t.is(a.socket.events('pusher_internal:member_removed').length, 0, 'user 7 still has another connection');
  h.send(b2.connection, { event: 'pusher:unsubscribe', data: { channel: 'presence-room' } });
  t.deepEqual(
    a.socket.events('pusher_internal:member_removed').map((e) => e.data.user_id),
    ['7'],
  );
});

test('presence: the member limit refuses a new user but not another connection of a present one', async (t) => {
  const h = await createHarness({ maxPresenceMembersPerChannel: 1 });
  const a = h.connect();
  const b = h.connect();
  const c = h.connect();
  h.send(a.connection, presenceSubscribe(h.app, a.connection.id, 'presence-r', { user_id: 'u1' }));
  h.send(b.connection, presenceSubscribe(h.app, b.connection.id, 'presence-r', { user_id: 'u2' }));
  h.send(c.connection, presenceSubscribe(h.app, c.connection.id, 'presence-r', { user_id: 'u1' }));
  t.is(b.socket.events('pusher:subscription_error')[0]?.data.type, 'LimitReached');
  t.is(c.socket.events('pusher_internal:subscription_succeeded').length, 1);
});

test('client events: refused when disabled, relayed without echo when enabled, user_id on presence', async (t) => {
  const off = await createHarness();
  const x = off.connect();
  off.send(x.connection, {
    event: 'pusher:subscribe',
    data: { channel: 'private-c', auth: privateAuth(off.app, x.connection.id, 'private-c') },
  });
  off.send(x.connection, { event: 'client-typing', channel: 'private-c', data: { a: 1 } });
  t.regex(x.socket.events('pusher:error')[0]?.data.message ?? '', /not enabled/);

  const h = await createHarness({ enableClientMessages: true });
  const a = h.connect();
  const b = h.connect();
  for (const c of [a, b]) {
    h.send(c.connection, presenceSubscribe(h.app, c.connection.id, 'presence-c', { user_id: c === a ? 'ann' : 'bob' }));
  }
  h.send(a.connection, { event: 'client-typing', channel: 'presence-c', data: { a: 1 } });
  t.is(a.socket.events('client-typing').length, 0, 'not echoed to the sender');
  const [received] = b.socket.events('client-typing');
  t.deepEqual(received?.data, { a: 1 });
  t.is(received?.user_id, 'ann');
  h.send(a.connection, { event: 'client-x', channel: 'public-not-subscribed', data: {} });
  t.is(a.socket.events('pusher:error').length, 1);
});

test('malformed input gets a pusher:error and the connection keeps working', async (t) => {
  const h = await createHarness();
  const a = h.connect();
  h.send(a.connection, '{not json');
  h.send(a.connection, '[1,2]');
  h.send(a.connection, { event: 'pusher:nonsense' });
  h.send(a.connection, { event: 'pusher:subscribe', data: { channel: 'bad name!' } });
  t.is(a.socket.events('pusher:error').length, 3);
  t.is(a.socket.events('pusher:subscription_error').length, 1);
  h.send(a.connection, { event: 'pusher:ping', data: {} });
  t.is(a.socket.events('pusher:pong').length, 1);
  t.is(a.socket.closedWith, undefined);
});

test('signin: server-to-user channel only for the signed-in user; watchlist online/offline', async (t) => {
  const h = await createHarness();
  const watcher = h.connect();
  h.send(watcher.connection, signin(h.app, watcher.connection.id, { id: 'w', watchlist: ['u1'] }));
  t.is(watcher.socket.events('pusher:signin_success').length, 1);
  h.send(watcher.connection, { event: 'pusher:subscribe', data: { channel: '#server-to-user-u1' } });
  t.is(watcher.socket.events('pusher:subscription_error')[0]?.data.status, 403);
  h.send(watcher.connection, { event: 'pusher:subscribe', data: { channel: '#server-to-user-w' } });
  t.is(watcher.socket.events('pusher_internal:subscription_succeeded').length, 1);

  const u1 = h.connect();
  h.send(u1.connection, signin(h.app, u1.connection.id, { id: 'u1' }));
  t.deepEqual(watcher.socket.events('pusher_internal:watchlist_events')[0]?.data.events, [
    { name: 'online', user_ids: ['u1'] },
  ]);
  u1.socket.close(1000, 'bye');
  t.deepEqual(watcher.socket.events('pusher_internal:watchlist_events')[1]?.data.events, [
    { name: 'offline', user_ids: ['u1'] },
  ]);
});

test('signin with a bad signature is refused with 4009 and the socket stays open', async (t) => {
  const h = await createHarness();
  const a = h.connect();
  h.send(a.connection, { event: 'pusher:signin', data: { auth: 'app-key:00', user_data: '{"id":"x"}' } });
  t.is(a.socket.events('pusher:error')[0]?.data.code, 4009);
  t.is(a.socket.closedWith, undefined);
});

test("terminate closes only the user's connections with 4009", async (t) => {
  const h = await createHarness();
  const a = h.connect();
  const b = h.connect();
  h.send(a.connection, signin(h.app, a.connection.id, { id: 'u1' }));
  h.publisher.terminateUserConnections(h.app, 'u1');
  t.is(a.socket.closedWith?.code, 4009);
  t.is(b.socket.closedWith, undefined);
});

test('activity: a silent connection is pinged, then closed with 4201 when it stays silent', async (t) => {
  const h = await createHarness();
  const a = h.connect();
  h.clock.now += h.config.activityTimeoutSec * 1000;
  h.protocol.sweep();
  t.is(a.socket.events('pusher:ping').length, 1);
  h.clock.now += h.config.pongTimeoutMs - 1;
  h.protocol.sweep();
  t.is(a.socket.closedWith, undefined);
  h.clock.now += 1;
  h.protocol.sweep();
  t.is(a.socket.closedWith?.code, 4201);
});

test('apps requiring sign-in close unauthorized connections with 4009 after the timeout', async (t) => {
  const h = await createHarness({ enableUserAuthentication: true });
  const lazy = h.connect();
  const good = h.connect();
  h.send(good.connection, signin(h.app, good.connection.id, { id: 'g' }));
  h.clock.now += h.config.userAuthenticationTimeoutMs;
  h.protocol.sweep();
  t.is(lazy.socket.closedWith?.code, 4009);
  t.is(good.socket.closedWith, undefined);
});

test('cache channels: cache_miss when empty, the last event replayed to a new subscriber until its ttl', async (t) => {
  const h = await createHarness();
  const a = h.connect();
  h.send(a.connection, { event: 'pusher:subscribe', data: { channel: 'cache-prices' } });
  t.is(a.socket.events('pusher:cache_miss').length, 1);
  h.publisher.publishEvent(h.app, 'cache-prices', 'price', '{"v":2}');
  const b = h.connect();
  h.send(b.connection, { event: 'pusher:subscribe', data: { channel: 'cache-prices' } });
  t.deepEqual(b.socket.events('price')[0]?.data, { v: 2 });
  h.clock.now += h.config.channelCacheTtlSec * 1000;
  const c = h.connect();
  h.send(c.connection, { event: 'pusher:subscribe', data: { channel: 'cache-prices' } });
  t.is(c.socket.events('pusher:cache_miss').length, 1);
});

test('subscription_count reaches subscribers once per burst when the app enables it', async (t) => {
  const h = await createHarness({ enableSubscriptionCount: true });
  const a = h.connect();
  const b = h.connect();
  h.send(a.connection, { event: 'pusher:subscribe', data: { channel: 'counted' } });
  h.send(b.connection, { event: 'pusher:subscribe', data: { channel: 'counted' } });
  await Promise.resolve();
  const counts = a.socket.events('pusher_internal:subscription_count').map((e) => e.data.subscription_count);
  t.deepEqual(counts, [2]);
});
