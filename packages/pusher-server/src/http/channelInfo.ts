import type { Adapter } from '../adapter/Adapter.js';
import { channelType } from '../protocol/channels.js';
import { badRequest } from './HttpApiError.js';

/** Attributes a client may ask for with `info=…`. */
export type InfoAttribute = 'user_count' | 'subscription_count' | 'cache';

/** The counts reported for one channel. */
export interface ChannelCounts {
  user_count?: number;
  subscription_count?: number;
}

/**
 * Parses a comma-separated `info` value; an attribute the endpoint does not offer is a 400.
 * `undefined` (no `info` at all) is distinct from an empty set (`info=`): only the former
 * keeps the trigger endpoints' answer an empty `{}`.
 */
export function parseInfoAttributes(
  value: unknown,
  offered: readonly InfoAttribute[],
  /** Put in front of error messages, e.g. `batch[2]: `. */
  where = '',
): ReadonlySet<InfoAttribute> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${where}info must be a comma-separated string`);
  const wanted = new Set<InfoAttribute>();
  for (const part of value.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    const attribute = offered.find((candidate) => candidate === name);
    if (attribute === undefined) {
      throw badRequest(`${where}Unsupported info attribute "${name}" (supported here: ${offered.join(', ')})`);
    }
    wanted.add(attribute);
  }
  return wanted;
}

/**
 * The requested counts of a channel. `user_count` exists only for presence channels and is
 * left out for others (the trigger endpoints report it per channel, so a mixed list is valid);
 * the endpoints that must refuse it check before calling this.
 */
export function channelCounts(
  adapter: Adapter,
  appId: string,
  channel: string,
  wanted: ReadonlySet<InfoAttribute>,
): ChannelCounts {
  const counts: ChannelCounts = {};
  if (wanted.has('user_count') && channelType(channel) === 'presence') {
    counts.user_count = adapter.presenceMembers(appId, channel).size;
  }
  if (wanted.has('subscription_count')) {
    counts.subscription_count = adapter.subscriptionCount(appId, channel);
  }
  return counts;
}
