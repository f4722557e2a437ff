import type { ExecutionContext } from 'ava';
import { authorizedClient } from '../protocol-support/pusherHelpers.js';
import { rawConnect, type RawSocket, type ReceivedFrame } from '../protocol-support/rawSocket.js';
import { pusherSdk, waitFor } from '../support/server.js';
import type { TestCluster } from './cluster.js';

/**
 * The presence guarantee, as one socket sees one channel: nothing about the channel before its
 * own `subscription_succeeded`; after it, the snapshot plus every `member_added` /
 * `member_removed` describe the members exactly, each member once.
 */
export interface PresenceTimeline {
  /** Members as this socket knows them, or undefined before its `subscription_succeeded`. */
  readonly members: ReadonlySet<string> | undefined;
  /** The first breach of the guarantee, if any. */
  readonly problem: string | undefined;
}

/** Replays what one socket received on a presence channel, in order. */
export function presenceTimeline(events: ReadonlyArray<{ event: string; data?: any }>): PresenceTimeline {
  let members: Set<string> | undefined;
  for (const { event, data } of events) {
    const name = event.replace(/^pusher_internal:/, 'pusher:');
    if (name === 'pusher:subscription_succeeded') {
      if (members) return { members, problem: 'a second subscription_succeeded' };
      members = new Set(data?.presence?.ids ?? []);
      continue;
    }
    if (!members) return { members, problem: `${event} before subscription_succeeded` };
    const id = String(data?.user_id ?? data?.id);
    if (name === 'pusher:member_added') {
      if (members.has(id)) return { members, problem: `member_added for ${id}, already a member` };
      members.add(id);
    } else if (name === 'pusher:member_removed') {
      if (!members.delete(id)) return { members, problem: `member_removed for ${id}, not a member` };
    }
  }
  return { members, problem: undefined };
}

/** A raw socket's frames of one channel. */
function channelFrames(socket: RawSocket, channel: string): ReceivedFrame[] {
  return socket.frames.filter((frame) => frame.channel === channel);
}

/** `pusher:subscribe` for a presence channel, signed by the app as its auth endpoint would. */
function presenceSubscribe(cluster: TestCluster, socket: RawSocket, channel: string, userId: string): object {
  const auth = pusherSdk(cluster.node(0)).authorizeChannel(socket.socketId, channel, { user_id: userId });
  return { event: 'pusher:subscribe', data: { channel, ...auth } };
}

/**
 * Publishes a marker through every node and waits until each socket has all of them: a node
 * sends its state changes before its later messages, so by then every transition is in.
 */
async function markersThroughEveryNode(cluster: TestCluster, sockets: RawSocket[], channel: string): Promise<void> {
  const names = cluster.nodes.map((_, i) => `marker-${i}`);
  await Promise.all(cluster.nodes.map((node, i) => pusherSdk(node).trigger(channel, names[i]!, {})));
  await Promise.all(sockets.flatMap((socket) => names.map((name) => socket.next(name, { channel }))));
}

/** Asserts the guarantee for every socket, once its members equal `expected`. */
async function assertConverged(
  t: ExecutionContext,
  cluster: TestCluster,
  sockets: RawSocket[],
  channel: string,
  expected: string[],
): Promise<void> {
  const timelines = (): PresenceTimeline[] => sockets.map((s) => presenceTimeline(channelFrames(s, channel)));
  const converged = (): boolean =>
    timelines().every((tl) => tl.problem !== undefined || sameMembers(tl.members, expected));
  await waitFor(converged, { timeoutMs: 5000, message: `every socket on ${channel} sees ${expected.join(', ')}` });
  await markersThroughEveryNode(cluster, sockets, channel);
  for (const [i, timeline] of timelines().entries()) {
    t.is(timeline.problem, undefined, `socket ${i} on ${channel}`);
    t.deepEqual([...(timeline.members ?? [])].sort(), [...expected].sort(), `socket ${i} members on ${channel}`);
  }
}

function sameMembers(members: ReadonlySet<string> | undefined, expected: string[]): boolean {
  return members !== undefined && members.size === expected.length && expected.every((id) => members.has(id));
}

/** Raw sockets, one per node in turn, connected and established. */
function connectSpread(t: ExecutionContext, cluster: TestCluster, count: number): Promise<RawSocket[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => rawConnect(t, cluster.node(i).port)));
}

/** Round `r`: 3 raw sockets, one per node, send their presence subscribe in the same turn. */
export async function simultaneousRawJoins(t: ExecutionContext, cluster: TestCluster, round: number): Promise<void> {
  const channel = `presence-order-raw-${round}`;
  const sockets = await connectSpread(t, cluster, 3);
  const users = sockets.map((_, i) => `r${round}-u${i}`);
  const frames = sockets.map((socket, i) => presenceSubscribe(cluster, socket, channel, users[i]!));
  sockets.forEach((socket, i) => socket.send(frames[i]));
  await assertConverged(t, cluster, sockets, channel, users);
}

/**
 * Round `r` with leaves interleaved: 3 sockets join at once; as soon as the first one is in, the
 * second leaves (possibly before its own success) and a fourth joins, in one turn.
 */
export async function interleavedRawJoinsAndLeaves(
  t: ExecutionContext,
  cluster: TestCluster,
  round: number,
): Promise<void> {
  const channel = `presence-order-mixed-${round}`;
  const sockets = await connectSpread(t, cluster, 4);
  const users = sockets.map((_, i) => `m${round}-u${i}`);
  const subscribes = sockets.map((socket, i) => presenceSubscribe(cluster, socket, channel, users[i]!));
  for (const i of [0, 1, 2]) sockets[i]!.send(subscribes[i]);
  await sockets[0]!.next('pusher_internal:subscription_succeeded', { channel });
  sockets[1]!.send({ event: 'pusher:unsubscribe', data: { channel } });
  sockets[3]!.send(subscribes[3]);
  const stayed = [0, 2, 3];
  await assertConverged(
    t,
    cluster,
    stayed.map((i) => sockets[i]!),
    channel,
    stayed.map((i) => users[i]!),
  );
  const left = presenceTimeline(channelFrames(sockets[1]!, channel));
  t.is(left.problem, undefined, 'the socket that left early broke no rule either');
}

/** Round `r` with pusher-js: 3 clients, one per node, subscribe to one presence channel at once. */
export async function simultaneousPusherJsJoins(
  t: ExecutionContext,
  cluster: TestCluster,
  round: number,
): Promise<void> {
  const channelName = `presence-order-js-${round}`;
  const users = [0, 1, 2].map((i) => `j${round}-u${i}`);
  const clients = users.map((id, i) => authorizedClient(t, cluster.node(i), { id }));
  await Promise.all(clients.map((c) => waitFor(() => c.connection.state === 'connected', { message: 'connected' })));
  const logs = clients.map((client) => {
    const log: Array<{ event: string; data?: any }> = [];
    const channel = client.subscribe(channelName);
    channel.bind_global((event: string, data: any) => {
      // The members object is live: copy the snapshot pusher-js built on success.
      if (event === 'pusher:subscription_succeeded') {
        const ids: string[] = [];
        data.each((member: { id: string }) => ids.push(member.id));
        log.push({ event, data: { presence: { ids } } });
      } else log.push({ event, data: event.startsWith('pusher:member_') ? { user_id: data.id } : data });
    });
    return { log, channel };
  });
  const timelines = (): PresenceTimeline[] => logs.map(({ log }) => presenceTimeline(log));
  await waitFor(() => timelines().every((tl) => tl.problem !== undefined || sameMembers(tl.members, users)), {
    timeoutMs: 5000,
    message: `every pusher-js client on ${channelName} sees 3 members`,
  });
  for (const [i, timeline] of timelines().entries()) {
    t.is(timeline.problem, undefined, `client ${i} on ${channelName}`);
    t.is(logs[i]!.channel.members.count, 3, `pusher-js counts 3 members for client ${i}`);
  }
}
