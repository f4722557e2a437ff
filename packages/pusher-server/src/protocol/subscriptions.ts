import type { PresenceMember } from '../adapter/Adapter.js';
import {
  channelNameProblem,
  channelType,
  isCacheChannel,
  requiresAuth,
  SERVER_TO_USER_PREFIX,
  type ChannelType,
} from './channels.js';
import { channelKey } from '../util/channelKey.js';
import type { Connection } from './Connection.js';
import * as frames from './frames.js';
import { isRefusal, parsePresenceMember, presenceSnapshot, type PresenceRefusal } from './presence.js';
import { field, type ProtocolContext } from './ProtocolContext.js';
import { verifyAuthToken } from './signatures.js';

type Authorization = { readonly member?: PresenceMember } | PresenceRefusal;

/** `pusher:subscribe`: checks the name and the signature, joins, answers success or error. */
export function handleSubscribe(ctx: ProtocolContext, connection: Connection, data: unknown): void {
  const channel = field(data, 'channel');
  const nameProblem = channelNameProblem(channel, connection.app.limits.maxChannelNameLength);
  if (nameProblem || typeof channel !== 'string') {
    if (typeof channel === 'string') {
      connection.send(frames.subscriptionError(channel, 'InvalidChannel', nameProblem ?? 'Invalid channel', 400));
    } else {
      connection.send(frames.errorFrame(`pusher:subscribe: ${nameProblem ?? 'invalid channel'}`));
    }
    return;
  }
  const limit = connection.app.limits.maxChannelsPerConnection;
  if (connection.channels.size >= limit && !connection.channels.has(channel)) {
    const error = `This connection is subscribed to ${limit} channels, the most allowed; unsubscribe from one first`;
    connection.send(frames.subscriptionError(channel, 'LimitReached', error, 4100));
    return;
  }
  const type = channelType(channel);
  const authorization = authorize(ctx, connection, channel, type, data);
  if ('error' in authorization) {
    connection.send(frames.subscriptionError(channel, authorization.type, authorization.error, authorization.status));
    return;
  }
  if (connection.channels.has(channel)) {
    // pusher-js re-sends subscribe after a reconnect race; answer again without a second join.
    answerWhenRoutable(ctx, connection, channel, type);
    return;
  }
  join(ctx, connection, channel, type, authorization.member);
}

/** `pusher:unsubscribe`. Pusher sends no answer. */
export function handleUnsubscribe(ctx: ProtocolContext, connection: Connection, data: unknown): void {
  const channel = field(data, 'channel');
  if (typeof channel !== 'string') {
    connection.send(frames.errorFrame('pusher:unsubscribe: channel must be a string'));
    return;
  }
  leave(ctx, connection, channel);
}

/** Removes the connection from a channel (unsubscribe, or close when `connection.closed`). */
export function leave(ctx: ProtocolContext, connection: Connection, channel: string): void {
  const subscription = connection.channels.get(channel);
  if (!subscription) return;
  connection.channels.delete(channel);
  // A closed uWS socket has already left its topics, and throws if touched.
  if (subscription.inTopic && !connection.closed) connection.socket.unsubscribe(channelKey(connection.app.id, channel));
  ctx.adapter.removeSubscriber(connection.app.id, channel, connection.id);
  if (ctx.debug?.on) recordLeave(ctx, connection, channel, subscription.userId);
}

/** The member left only if the cluster no longer has the user in the channel (a local read). */
function recordLeave(ctx: ProtocolContext, connection: Connection, channel: string, userId: string | undefined): void {
  const appId = connection.app.id;
  const socketId = connection.id;
  ctx.debug?.record(appId, { kind: 'unsubscribed', channel, socketId, ...(userId !== undefined && { userId }) });
  if (userId !== undefined && !ctx.adapter.presenceMembers(appId, channel).has(userId))
    ctx.debug?.record(appId, { kind: 'member_removed', channel, userId, socketId });
}

function authorize(
  ctx: ProtocolContext,
  connection: Connection,
  channel: string,
  type: ChannelType,
  data: unknown,
): Authorization {
  if (type === 'server-to-user') {
    if (connection.userId !== undefined && channel === SERVER_TO_USER_PREFIX + connection.userId) return {};
    return { type: 'AuthError', error: 'Sign in as this user before subscribing to its channel', status: 403 };
  }
  if (!requiresAuth(type)) return {};
  const channelData = field(data, 'channel_data');
  const signed =
    type === 'presence'
      ? `${connection.id}:${channel}:${typeof channelData === 'string' ? channelData : ''}`
      : `${connection.id}:${channel}`;
  const { key, secret } = connection.app;
  if (!verifyAuthToken(field(data, 'auth'), key, secret, signed)) {
    ctx.logger.debug('subscription refused: invalid signature', { socketId: connection.id, channel });
    return { type: 'AuthError', error: `Invalid signature for ${channel}`, status: 401 };
  }
  if (type !== 'presence') return {};
  const member = parsePresenceMember(channelData, connection.app);
  if (isRefusal(member)) return member;
  return withinMemberLimit(ctx, connection, channel, member);
}

function withinMemberLimit(
  ctx: ProtocolContext,
  connection: Connection,
  channel: string,
  member: PresenceMember,
): Authorization {
  const members = ctx.adapter.presenceMembers(connection.app.id, channel);
  const limit = connection.app.limits.maxPresenceMembersPerChannel;
  if (!members.has(member.userId) && members.size >= limit) {
    return { type: 'LimitReached', error: `${channel} already has ${limit} members`, status: 4100 };
  }
  return { member };
}

function join(
  ctx: ProtocolContext,
  connection: Connection,
  channel: string,
  type: ChannelType,
  member: PresenceMember | undefined,
): void {
  connection.channels.set(channel, member ? { userId: member.userId, inTopic: false } : { inTopic: false });
  if (requiresAuth(type)) connection.authDeadlineMs = undefined;
  // Not in the topic yet: the member_added this join causes goes to the others only, and what
  // happens until the success is answered is in the snapshot the success carries.
  ctx.adapter.addSubscriber(connection.app.id, channel, connection.id, member);
  if (ctx.debug?.on) {
    const userId = member?.userId;
    ctx.debug.record(connection.app.id, {
      kind: 'subscribed',
      channel,
      socketId: connection.id,
      ...(userId !== undefined && { userId }),
    });
  }
  answerWhenRoutable(ctx, connection, channel, type);
}

/**
 * Answers `subscription_succeeded` once the cluster routes the channel's messages to this node:
 * a client that saw the success must receive every event triggered afterwards on any node.
 */
function answerWhenRoutable(ctx: ProtocolContext, connection: Connection, channel: string, type: ChannelType): void {
  const settling = ctx.adapter.interestSettled?.(connection.app.id, channel);
  if (settling === undefined) {
    sendSucceeded(ctx, connection, channel, type);
    return;
  }
  void settling.then(() => {
    if (!connection.closed && connection.channels.has(channel)) sendSucceeded(ctx, connection, channel, type);
  });
}

/**
 * Joins the topic, takes the presence snapshot and answers, all in one turn: every member change
 * before this point is in the snapshot, every later one is published to the topic, so the client
 * hears each member once. Events published before this point are not delivered to it.
 */
function sendSucceeded(ctx: ProtocolContext, connection: Connection, channel: string, type: ChannelType): void {
  const appId = connection.app.id;
  const subscription = connection.channels.get(channel);
  if (subscription && !subscription.inTopic) {
    connection.socket.subscribe(channelKey(appId, channel));
    subscription.inTopic = true;
  }
  const presence = type === 'presence' ? presenceSnapshot(ctx.adapter.presenceMembers(appId, channel)) : undefined;
  connection.send(frames.subscriptionSucceeded(channel, presence));
  if (!isCacheChannel(channel)) return;
  const cached = ctx.adapter.cachedEvent(appId, channel);
  connection.send(cached ? cached.frame : frames.cacheMiss(channel));
  if (!cached) ctx.webhooks?.cacheMiss(connection.app, channel);
  if (!cached && ctx.debug?.on) ctx.debug.record(appId, { kind: 'cache_miss', channel, socketId: connection.id });
}
