import test from 'ava';
import { authorizedClient, startReceiver, subscribed, summary } from '@meshpush/test-support';
import { defaultAppWith, startServer } from './support/embeddedServer.js';

const ALL_EVENTS = [
  'channel_occupied',
  'channel_vacated',
  'member_added',
  'member_removed',
  'client_event',
  'cache_miss',
];

test('every webhook is signed for the pusher SDK; event types, channel filters and extra headers apply', async (t) => {
  const receiver = await startReceiver(t);
  const server = await startServer(t, {
    apps: defaultAppWith({
      webhooks: [
        { url: receiver.url('/all'), event_types: ALL_EVENTS },
        {
          url: receiver.url('/beta'),
          event_types: ['channel_occupied'],
          filter: { channel_name_starts_with: 'beta-' },
          headers: { 'X-Extra': 'yes' },
        },
      ],
      enableClientMessages: true,
    }),
    webhooks: { leaveDelayMs: 300 },
  });
  const client = authorizedClient(t, server, { id: 'u1', info: { name: 'Ann' } });
  const { channel: room } = await subscribed(client, 'presence-room');
  await subscribed(client, 'cache-news');
  await subscribed(client, 'beta-launch');
  room.trigger('client-wave', { hi: 1 });

  await receiver.waitFor((events) => events.length >= 7, 'seven webhook events');
  t.true(
    receiver.received.every((r) => r.valid),
    'pusher.webhook().isValid() accepts every request',
  );
  t.true(
    receiver.received.every(
      (r) => r.headers['content-type'] === 'application/json' && r.headers['x-pusher-key'] === 'app-key',
    ),
  );
  const all = receiver.delivered().filter((e) => e.path === '/all');
  t.deepEqual(summary(all).sort(), [
    'cache_miss:cache-news',
    'channel_occupied:beta-launch',
    'channel_occupied:cache-news',
    'channel_occupied:presence-room',
    'client_event:presence-room:u1',
    'member_added:presence-room:u1',
  ]);
  const clientEvent = all.find((e) => e.name === 'client_event');
  t.like(clientEvent, { event: 'client-wave', data: '{"hi":1}', socket_id: client.connection.socket_id });
  const beta = receiver.received.filter((r) => r.path === '/beta');
  t.deepEqual(
    beta.flatMap((r) => summary(r.events)),
    ['channel_occupied:beta-launch'],
  );
  t.is(beta[0]?.headers['x-extra'], 'yes');

  client.disconnect();
  await receiver.waitFor(
    (events) => events.filter((e) => e.name === 'channel_vacated').length === 3,
    'three channel_vacated',
  );
  t.deepEqual(summary(receiver.delivered().filter((e) => e.path === '/all' && e.name === 'member_removed')), [
    'member_removed:presence-room:u1',
  ]);
});

test('leave delay: a channel or member back within it produces no webhook; otherwise the leave comes after it', async (t) => {
  const receiver = await startReceiver(t);
  const server = await startServer(t, {
    apps: defaultAppWith({ webhooks: [{ url: receiver.url(), event_types: ALL_EVENTS }] }),
    webhooks: { leaveDelayMs: 1500 },
  });
  const first = authorizedClient(t, server, { id: 'u1' });
  await subscribed(first, 'presence-room');
  await receiver.waitFor((events) => events.length === 2, 'occupied and member_added');

  // The user's only connection drops and the user comes back on a new one, well within the delay.
  first.disconnect();
  const second = authorizedClient(t, server, { id: 'u1' });
  await subscribed(second, 'presence-room');
  // An unrelated channel's full cycle is the yardstick: its vacated comes after a whole delay.
  const yardstick = authorizedClient(t, server, { id: 'other' });
  await subscribed(yardstick, 'yardstick');
  const leftAt = Date.now();
  yardstick.unsubscribe('yardstick');
  await receiver.waitFor((events) => events.some((e) => e.name === 'channel_vacated'), 'the yardstick channel_vacated');
  t.true(Date.now() - leftAt >= 1400, 'channel_vacated waited for the delay');
  t.deepEqual(summary(receiver.delivered()).sort(), [
    'channel_occupied:presence-room',
    'channel_occupied:yardstick',
    'channel_vacated:yardstick',
    'member_added:presence-room:u1',
  ]);

  second.disconnect();
  await receiver.waitFor((events) => events.length === 6, 'member_removed and channel_vacated');
  t.deepEqual(summary(receiver.delivered().slice(4)).sort(), [
    'channel_vacated:presence-room',
    'member_removed:presence-room:u1',
  ]);
});

test('batching puts a burst in one request; a failing receiver gets the same signed body again until it accepts', async (t) => {
  const receiver = await startReceiver(t);
  receiver.failNext(2, 503);
  const server = await startServer(t, {
    apps: defaultAppWith({ webhooks: [{ url: receiver.url(), event_types: ['channel_occupied'] }] }),
    webhooks: { batching: true, batchingDurationMs: 300, retryInitialDelayMs: 100 },
  });
  const client = authorizedClient(t, server, { id: 'u1' });
  await Promise.all(['a', 'b', 'c', 'd'].map((name) => subscribed(client, `room-${name}`)));
  await receiver.waitFor((events) => events.length === 4, 'the batch, delivered');
  t.true(receiver.received.length >= 3, 'two failures, then the delivery');
  const [first, second, delivered] = receiver.received.slice(-3);
  t.deepEqual([first?.status, second?.status, delivered?.status], [503, 503, 200]);
  t.is(first?.rawBody, delivered?.rawBody, 'the retry resends the same body');
  t.true(receiver.received.every((r) => r.valid));
  const delivering = receiver.received.filter((r) => r.status === 200);
  t.is(delivering.length, 1, 'four events, one request');
  t.deepEqual(summary(delivering[0]!.events).sort(), [
    'channel_occupied:room-a',
    'channel_occupied:room-b',
    'channel_occupied:room-c',
    'channel_occupied:room-d',
  ]);
});
