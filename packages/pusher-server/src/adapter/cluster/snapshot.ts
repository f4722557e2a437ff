import type { EventCache } from '../EventCache.js';
import type { Membership } from '../Membership.js';
import { cacheOp, OpType, subscribeOp, type Op } from './ops.js';

/** This node's whole part as ops: what a peer that just came up needs to know about us. */
export function snapshotOps(
  memberships: ReadonlyMap<string, Membership>,
  connections: ReadonlyMap<string, number>,
  cache: EventCache,
): Op[] {
  const ops: Op[] = [];
  for (const [appId, membership] of memberships) {
    for (const [channel, socketId, member] of membership.subscriptions())
      ops.push(subscribeOp(appId, channel, socketId, member));
    for (const [userId, socketId] of membership.userSockets()) ops.push([OpType.UserOnline, appId, userId, socketId]);
  }
  for (const [appId, count] of connections) ops.push([OpType.Connections, appId, count]);
  for (const [appId, channel, event] of cache.entries()) ops.push(cacheOp(appId, channel, event));
  return ops;
}
