import type { CachedEvent } from '../adapter/Adapter.js';
import { channelNameProblem, channelType, isCacheChannel } from '../protocol/channels.js';
import type { ApiCall } from './apiCall.js';
import { channelCounts, parseInfoAttributes, type InfoAttribute } from './channelInfo.js';
import type { HttpApiContext } from './HttpApiContext.js';
import { badRequest } from './HttpApiError.js';
import { queryParam } from './requestSigning.js';

const PRESENCE_PREFIX = 'presence-';

/**
 * `GET /apps/:appId/channels?filter_by_prefix=…&info=…` → `{"channels": {name: counts}}`, occupied
 * channels only. `user_count` is refused unless the filter limits the list to presence channels,
 * as Pusher does, so a client never gets a list where some channels silently lack the count.
 */
export function listChannels(call: ApiCall, ctx: HttpApiContext): unknown {
  const prefix = queryParam(call.query, 'filter_by_prefix') ?? '';
  const wanted = parseInfoAttributes(queryParam(call.query, 'info'), ['user_count', 'subscription_count']) ?? new Set();
  if (wanted.has('user_count') && !prefix.startsWith(PRESENCE_PREFIX)) {
    throw badRequest(`info=user_count requires filter_by_prefix=${PRESENCE_PREFIX}`);
  }
  const channels: Array<[string, unknown]> = [];
  for (const [channel, count] of ctx.adapter.channels(call.app.id)) {
    if (count > 0 && channel.startsWith(prefix)) {
      channels.push([channel, channelCounts(ctx.adapter, call.app.id, channel, wanted)]);
    }
  }
  return { channels: Object.fromEntries(channels) };
}

/**
 * `GET /apps/:appId/channels/:channel?info=…` → `{"occupied": bool, …requested attributes}`.
 * An attribute the channel type does not have is a 400 (Pusher: "requesting an attribute which
 * is not available for the requested channel will return an error").
 */
export function describeChannel(call: ApiCall, ctx: HttpApiContext): unknown {
  const channel = validChannelParam(call);
  const wanted =
    parseInfoAttributes(queryParam(call.query, 'info'), ['user_count', 'subscription_count', 'cache']) ??
    new Set<InfoAttribute>();
  if (wanted.has('user_count') && channelType(channel) !== 'presence') {
    throw badRequest('user_count is only available for presence channels');
  }
  if (wanted.has('cache') && !isCacheChannel(channel)) {
    throw badRequest('cache is only available for cache channels');
  }
  const occupied = ctx.adapter.subscriptionCount(call.app.id, channel) > 0;
  const answer: Record<string, unknown> = { occupied, ...channelCounts(ctx.adapter, call.app.id, channel, wanted) };
  const cached = wanted.has('cache') ? ctx.adapter.cachedEvent(call.app.id, channel) : undefined;
  if (cached !== undefined) answer['cache'] = describeCache(cached, ctx.nowMs());
  return answer;
}

/** `GET /apps/:appId/channels/:channel/users` → `{"users": [{"id": …}, …]}`, presence channels only. */
export function listChannelUsers(call: ApiCall, ctx: HttpApiContext): unknown {
  const channel = validChannelParam(call);
  if (channelType(channel) !== 'presence') throw badRequest('Users can only be listed for presence channels');
  const users = [...ctx.adapter.presenceMembers(call.app.id, channel).keys()].map((id) => ({ id }));
  return { users };
}

/** The cached event's data and its remaining lifetime in whole seconds. */
function describeCache(cached: CachedEvent, nowMs: number): { data: string; ttl: number } {
  return { data: cached.data, ttl: Math.max(0, Math.ceil((cached.expiresAtMs - nowMs) / 1000)) };
}

function validChannelParam(call: ApiCall): string {
  const channel = call.params[0] ?? '';
  const problem = channelNameProblem(channel, call.app.limits.maxChannelNameLength);
  if (problem !== undefined) throw badRequest(problem);
  return channel;
}
