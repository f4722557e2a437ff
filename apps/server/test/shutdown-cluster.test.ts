import test from 'ava';
import {
  authorizedClient,
  freePort,
  pusherSdk,
  startReceiver,
  subscribed,
  summary,
  waitFor,
} from '@meshpush/test-support';
import { clusterEnv, waitForMesh } from './cluster-support/cluster.js';
import { startServer } from './support/server.js';
import { webhookEnv } from './webhooks-support.js';

const USERS = ['ann', 'bob', 'cat'];

/** Member ids a pusher-js presence channel shows. */
function memberIds(channel: { members: { each(fn: (m: { id: string }) => void): void } }): string[] {
  const ids: string[] = [];
  channel.members.each((member) => ids.push(member.id));
  return ids.sort();
}

test('SIGTERM on a cluster node: its clients reconnect to the other node and miss no presence state', async (t) => {
  const receiver = await startReceiver(t);
  // Both nodes share one public port (cluster drivers bind with SO_REUSEPORT), as behind PM2.
  const publicPort = String(await freePort());
  const env = await clusterEnv(webhookEnv([{ url: receiver.url() }], { WEBHOOKS_LEAVE_DELAY_MS: '3000' }));
  const args = ['--port', publicPort];
  const leaving = await startServer(t, { env, args });
  // Started while `leaving` is the only listener: every client is on the node that will stop.
  const clients = USERS.map((id) => authorizedClient(t, leaving, { id }));
  const channels = await Promise.all(
    clients.map(async (client) => (await subscribed(client, 'presence-room')).channel),
  );
  const staying = await startServer(t, { env, args });
  await waitForMesh([leaving, staying]);
  await receiver.waitFor((events) => events.length === 4, 'occupied and three member_added');

  t.deepEqual(await leaving.stop('SIGTERM'), { code: 0, signal: null });
  t.regex(leaving.output(), /stopped/);
  // pusher-js got 4200 and reconnected at once, to the only listener left.
  await waitFor(() => clients.every((client) => client.connection.state === 'connected'), {
    message: 'every client reconnected',
  });
  await waitFor(() => channels.every((channel) => memberIds(channel).join() === USERS.join()), {
    message: 'every client sees every member again',
  });
  const users = (await (await pusherSdk(staying).get({ path: '/channels/presence-room/users' })).json()) as {
    users: Array<{ id: string }>;
  };
  t.deepEqual(users.users.map((u) => u.id).sort(), USERS);
  t.is((await fetch(`${staying.httpBase}/ready`)).status, 200);

  // The move took less than the leave delay: the app sees no member leave nor join again.
  const yardstick = authorizedClient(t, staying, { id: 'yardstick' });
  await subscribed(yardstick, 'yardstick');
  yardstick.unsubscribe('yardstick');
  await receiver.waitFor((events) => events.some((e) => e.name === 'channel_vacated'), 'the yardstick cycle', 10_000);
  t.deepEqual(summary(receiver.delivered()).sort(), [
    'channel_occupied:presence-room',
    'channel_occupied:yardstick',
    'channel_vacated:yardstick',
    'member_added:presence-room:ann',
    'member_added:presence-room:bob',
    'member_added:presence-room:cat',
  ]);
});
