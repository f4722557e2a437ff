import { allowsClientEvents, channelType, eventNameProblem } from './channels.js';
import { ErrorCodes } from './CloseCodes.js';
import type { Connection } from './Connection.js';
import * as frames from './frames.js';
import type { ClientMessage, ProtocolContext } from './ProtocolContext.js';

/**
 * A `client-` event: relayed to the channel's other subscribers on every node, never echoed to
 * the sender, with `user_id` on presence channels. Refusals are `pusher:error` events; the
 * socket stays open.
 */
export function handleClientEvent(ctx: ProtocolContext, connection: Connection, message: ClientMessage): void {
  const refusal = clientEventProblem(connection, message);
  if (refusal) {
    connection.send(frames.errorFrame(refusal));
    return;
  }
  if (ctx.rateLimiter?.clientEvent(connection.app, connection.id).allowed === false) {
    connection.send(frames.errorFrame(CLIENT_EVENT_RATE_LIMITED, ErrorCodes.ClientEventRateLimited));
    return;
  }
  const channel = message.channel as string;
  const subscription = connection.channels.get(channel);
  const frame = frames.channelEvent(channel, message.event, message.data, subscription?.userId);
  ctx.adapter.publish(connection.app.id, channel, frame, connection.id);
  ctx.webhooks?.clientEvent(connection.app, channel, message.event, message.data, connection.id, subscription?.userId);
  if (ctx.debug?.on) recordClientEvent(ctx, connection, channel, message);
}

function recordClientEvent(
  ctx: ProtocolContext,
  connection: Connection,
  channel: string,
  message: ClientMessage,
): void {
  const userId = connection.channels.get(channel)?.userId;
  const { data } = message;
  ctx.debug?.record(connection.app.id, {
    kind: 'client_event',
    channel,
    event: message.event,
    socketId: connection.id,
    sizeBytes: Buffer.byteLength(typeof data === 'string' ? data : JSON.stringify(data ?? null)),
    ...(userId !== undefined && { userId }),
  });
}

const CLIENT_EVENT_RATE_LIMITED = 'Client event rejected: over the rate limit of client events per second';

function clientEventProblem(connection: Connection, message: ClientMessage): string | undefined {
  const { app } = connection;
  if (!app.enableClientMessages) return 'Client events are not enabled for this app';
  const { channel } = message;
  if (typeof channel !== 'string') return `${message.event}: a client event needs a channel`;
  if (!connection.channels.has(channel)) return `${message.event}: not subscribed to ${channel}`;
  if (!allowsClientEvents(channelType(channel))) {
    return `${message.event}: client events are allowed on private and presence channels only`;
  }
  const nameProblem = eventNameProblem(message.event, app.limits.maxEventNameLength);
  if (nameProblem) return nameProblem;
  const dataBytes = Buffer.byteLength(
    typeof message.data === 'string' ? message.data : JSON.stringify(message.data ?? null),
  );
  if (dataBytes > app.limits.maxEventPayloadKb * 1024) {
    return `${message.event}: data is larger than ${app.limits.maxEventPayloadKb} KB`;
  }
  return undefined;
}
