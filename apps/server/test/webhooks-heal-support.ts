import type { ExecutionContext } from 'ava';
import { startCluster, TEST_CLUSTER_TIMING, type ClusterOptions } from './cluster-support/cluster.js';
import { authorizedClient, subscribed } from './protocol-support/pusherHelpers.js';
import { waitFor } from './support/server.js';
import { summary, webhookEnv, type WebhookReceiver } from './webhooks-support.js';

const EVENTS = ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed'];
const LEAVE_DELAY_MS = 200;

/**
 * What an app's backend believes from the webhooks, replayed in order: present members and
 * occupied channels, and the first announcement that contradicted its belief (an arrival of
 * something present, a leave of something absent).
 */
export function believedState(events: ReadonlyArray<{ name: string; channel: string; user_id?: unknown }>): {
  present: string[];
  contradiction: string | undefined;
} {
  const present = new Set<string>();
  let contradiction: string | undefined;
  for (const event of events) {
    const key = event.user_id === undefined ? event.channel : `${event.channel}:${String(event.user_id)}`;
    const arrives = event.name === 'member_added' || event.name === 'channel_occupied';
    if (arrives === present.has(key)) contradiction ??= summary([event])[0];
    if (arrives) present.add(key);
    else present.delete(key);
  }
  return { present: [...present].sort(), contradiction };
}

/**
 * Two nodes, a presence member on each and a channel only the second one has. The second node is
 * paused (SIGSTOP) past the node timeout, so the first announces its member and channel gone, then
 * resumed (SIGCONT): the app must hear them come back, and end up believing the truth.
 */
export async function pausedNodeComesBack(
  t: ExecutionContext,
  receiver: WebhookReceiver,
  options: ClusterOptions,
): Promise<void> {
  const cluster = await startCluster(t, {
    ...options,
    nodes: 2,
    env: {
      ...webhookEnv([{ url: receiver.url(), event_types: EVENTS }], {
        WEBHOOKS_LEAVE_DELAY_MS: String(LEAVE_DELAY_MS),
      }),
      ...options.env,
    },
  });
  const [stays, paused] = [cluster.node(0), cluster.node(1)];
  const watcher = authorizedClient(t, stays, { id: 'on-a' });
  const { channel } = await subscribed(watcher, 'presence-heal');
  await subscribed(authorizedClient(t, paused, { id: 'on-c' }), 'presence-heal');
  await subscribed(authorizedClient(t, paused, { id: 'alone' }), 'presence-heal-c-only');
  const truth = [
    'presence-heal',
    'presence-heal-c-only',
    'presence-heal-c-only:alone',
    'presence-heal:on-a',
    'presence-heal:on-c',
  ];
  await receiver.waitFor((events) => believedState(events).present.length === truth.length, 'the joins announced');

  process.kill(paused.pid, 'SIGSTOP');
  t.teardown(() => process.kill(paused.pid, 'SIGCONT'));
  await waitFor(() => channel.members.count === 1, {
    timeoutMs: TEST_CLUSTER_TIMING.nodeTimeoutMs + 5000,
    message: "the paused node's member removed on the first node's client",
  });
  await receiver.waitFor(
    (events) => summary(events).includes('member_removed:presence-heal:on-c'),
    'member_removed webhook for the paused member',
  );
  await receiver.waitFor(
    (events) => summary(events).includes('channel_vacated:presence-heal-c-only'),
    'channel_vacated webhook for the paused node channel',
  );

  process.kill(paused.pid, 'SIGCONT');
  await waitFor(() => channel.members.count === 2, { timeoutMs: 10_000, message: 'the member back on the client' });
  await receiver.waitFor(
    (events) => believedState(events).present.join() === truth.join(),
    `the app believes the truth again (${truth.join(', ')})`,
  );
  // A late duplicate would arrive within the leave delay plus a heartbeat or two.
  await quiet(LEAVE_DELAY_MS + 1000);
  const belief = believedState(receiver.delivered());
  t.deepEqual(belief.present, truth);
  t.is(belief.contradiction, undefined, 'every announcement changed what the app believed');
}

function quiet(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
