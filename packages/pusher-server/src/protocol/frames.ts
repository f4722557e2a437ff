/**
 * Server → client frames. Pusher double-encodes: a frame's `data` is itself a JSON string,
 * except where the relayed payload was a client event's raw value.
 */

function frame(event: string, data: unknown, channel?: string): string {
  return JSON.stringify(channel === undefined ? { event, data } : { event, channel, data });
}

export function connectionEstablished(socketId: string, activityTimeoutSec: number): string {
  return frame(
    'pusher:connection_established',
    JSON.stringify({ socket_id: socketId, activity_timeout: activityTimeoutSec }),
  );
}

export const PONG_FRAME = frame('pusher:pong', '{}');
export const PING_FRAME = frame('pusher:ping', '{}');

/** `pusher:error`; `code` is null for errors that have no Pusher code. */
export function errorFrame(message: string, code: number | null = null): string {
  return frame('pusher:error', { code, message });
}

export interface PresenceSnapshot {
  readonly ids: string[];
  readonly hash: Record<string, unknown>;
  readonly count: number;
}

export function subscriptionSucceeded(channel: string, presence?: PresenceSnapshot): string {
  return frame('pusher_internal:subscription_succeeded', presence ? JSON.stringify({ presence }) : '{}', channel);
}

/** The shape pusher-js emits as `pusher:subscription_error` on the channel. */
export function subscriptionError(channel: string, type: string, error: string, status: number): string {
  return frame('pusher:subscription_error', { type, error, status }, channel);
}

export function memberAdded(channel: string, userId: string, userInfo: unknown): string {
  return frame('pusher_internal:member_added', JSON.stringify({ user_id: userId, user_info: userInfo }), channel);
}

export function memberRemoved(channel: string, userId: string): string {
  return frame('pusher_internal:member_removed', JSON.stringify({ user_id: userId }), channel);
}

export function subscriptionCount(channel: string, count: number): string {
  return frame('pusher_internal:subscription_count', JSON.stringify({ subscription_count: count }), channel);
}

export function cacheMiss(channel: string): string {
  return frame('pusher:cache_miss', '{}', channel);
}

export function signinSuccess(userData: string): string {
  return frame('pusher:signin_success', JSON.stringify({ user_data: userData }));
}

export interface WatchlistEvent {
  readonly name: 'online' | 'offline';
  readonly user_ids: string[];
}

export function watchlistEvents(events: WatchlistEvent[]): string {
  return frame('pusher_internal:watchlist_events', JSON.stringify({ events }));
}

/** A channel event; `data` is relayed exactly as given (a string from the HTTP API, any JSON value from a client). */
export function channelEvent(channel: string, event: string, data: unknown, userId?: string): string {
  return JSON.stringify(userId === undefined ? { event, channel, data } : { event, channel, data, user_id: userId });
}
