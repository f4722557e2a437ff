import test from 'ava';
import { authorizedClient, nextEvent, pusherSdk, subscribed, waitFor } from '@meshpush/test-support';
import { defaultAppWith, startServer } from './support/embeddedServer.js';

test('signin: pusher-js signs in, gets #server-to-user events from sendToUser', async (t) => {
  const server = await startServer(t);
  const client = authorizedClient(t, server, { id: 'u42' });
  client.signin();
  await client.user.signinDonePromise;
  // pusher-js subscribes to #server-to-user-u42 by itself after signin_success.
  await waitFor(() => client.user.serverToUserChannel?.subscribed === true, {
    timeoutMs: 5000,
    message: 'server-to-user channel not subscribed',
  });
  const received = nextEvent(client.user, 'notify');
  await pusherSdk(server).sendToUser('u42', 'notify', { n: 1 });
  t.deepEqual(await received, { n: 1 });
});

test('terminate_connections closes every connection of that user and no other', async (t) => {
  const server = await startServer(t);
  const victim = authorizedClient(t, server, { id: 'victim' });
  const bystander = authorizedClient(t, server, { id: 'bystander' });
  for (const c of [victim, bystander]) c.signin();
  await Promise.all([victim.user.signinDonePromise, bystander.user.signinDonePromise]);
  const gone = new Promise<number>((resolve) =>
    victim.connection.bind('state_change', (s: any) => {
      if (s.current === 'disconnected' || s.current === 'failed') resolve(s.current);
    }),
  );
  await pusherSdk(server).terminateUserConnections('victim');
  await gone;
  t.is(bystander.connection.state, 'connected');
});

test('watchlist: a watcher is told when a watched user comes online and goes offline', async (t) => {
  const server = await startServer(t);
  const watcher = authorizedClient(t, server, { id: 'w', watchlist: ['friend'] });
  const events: Array<{ name: string; user_ids: string[] }> = [];
  watcher.user.watchlist.bind('online', (e: any) => events.push({ name: 'online', user_ids: e.user_ids }));
  watcher.user.watchlist.bind('offline', (e: any) => events.push({ name: 'offline', user_ids: e.user_ids }));
  watcher.signin();
  await watcher.user.signinDonePromise;
  const friend = authorizedClient(t, server, { id: 'friend' });
  friend.signin();
  await waitFor(() => events.some((e) => e.name === 'online'), { timeoutMs: 5000, message: 'no online event' });
  friend.disconnect();
  await waitFor(() => events.some((e) => e.name === 'offline'), { timeoutMs: 5000, message: 'no offline event' });
  t.deepEqual(events, [
    { name: 'online', user_ids: ['friend'] },
    { name: 'offline', user_ids: ['friend'] },
  ]);
});

test('an app requiring sign-in closes unauthorized sockets with 4009 and keeps signed-in ones', async (t) => {
  const server = await startServer(t, {
    apps: defaultAppWith({ enableUserAuthentication: true }),
    userAuthenticationTimeoutMs: 1500,
  });
  const lazy = authorizedClient(t, server, { id: 'lazy' });
  const good = authorizedClient(t, server, { id: 'good' });
  good.signin();
  await good.user.signinDonePromise;
  const closed = nextEvent(lazy.connection, 'error', 10_000);
  const error = await closed;
  t.is(error?.data?.code, 4009);
  await subscribed(good, 'still-works');
  t.is(good.connection.state, 'connected');
});
