import type { AdapterListener, PresenceMember } from './Adapter.js';
import { Membership, type MembershipChange } from './Membership.js';

/** One node's part of the state: written by that node only, replicated read-only elsewhere. */
interface NodePart {
  readonly apps: Map<string, Membership>;
  readonly connections: Map<string, number>;
}

/**
 * The cluster as this node sees it: its own part plus a replica of every live peer's part.
 * Reads are unions over the parts, answered from memory. Every change goes through here and
 * is compared with the union before and after, so the listener hears each cluster-wide
 * transition (member added, channel vacated, user offline…) exactly once on this node,
 * whichever node caused it. The local adapter is the same view with one part.
 */
export class ClusterView {
  readonly #parts = new Map<string, NodePart>();
  readonly #listener: AdapterListener;

  constructor(listener: AdapterListener) {
    this.#listener = listener;
  }

  /** A socket of `nodeId` joined; `originSocketId` is set for this node's own sockets. */
  subscribe(
    nodeId: string,
    appId: string,
    channel: string,
    socketId: string,
    member?: PresenceMember,
    originSocketId?: string,
  ): MembershipChange {
    const wasMember = member ? this.hasMember(appId, channel, member.userId) : true;
    const change = this.#membership(nodeId, appId).addSubscriber(channel, socketId, member);
    if (change.subscriptionCount < 0) return change;
    const count = this.subscriptionCount(appId, channel);
    if (count === 1) this.#listener.channelOccupied(appId, channel);
    if (member && !wasMember) this.#listener.memberAdded(appId, channel, member, originSocketId);
    this.#listener.subscriptionCountChanged(appId, channel, count);
    return change;
  }

  /** A socket of `nodeId` left a channel; the change tells whether the channel or member went away. */
  unsubscribe(nodeId: string, appId: string, channel: string, socketId: string): MembershipChange {
    const change = this.#membership(nodeId, appId).removeSubscriber(channel, socketId);
    if (change.subscriptionCount < 0) return change;
    this.#afterLeave(appId, channel, change.userId);
    return change;
  }

  /** A socket of `nodeId` signed in as `userId` (the listener hears `user online` on the first one cluster-wide). */
  userOnline(nodeId: string, appId: string, userId: string, socketId: string): void {
    const wasOnline = this.isUserOnline(appId, userId);
    this.#membership(nodeId, appId).addUser(userId, socketId);
    if (!wasOnline) this.#listener.userOnline(appId, userId);
  }

  /** A signed-in socket of `nodeId` closed (the listener hears `user offline` after the last one cluster-wide). */
  userOffline(nodeId: string, appId: string, userId: string, socketId: string): void {
    if (this.#membership(nodeId, appId).removeUser(userId, socketId) && !this.isUserOnline(appId, userId)) {
      this.#listener.userOffline(appId, userId);
    }
  }

  /** Sets how many connections of an app `nodeId` has (absolute, so repeating it is harmless). */
  setConnections(nodeId: string, appId: string, count: number): void {
    const { connections } = this.#part(nodeId);
    if (count > 0) connections.set(appId, count);
    else connections.delete(appId);
  }

  /** Forgets a node that died or left: its members leave, its channels' counts drop. */
  dropNode(nodeId: string): void {
    const part = this.#parts.get(nodeId);
    if (!part) return;
    this.#parts.delete(nodeId);
    for (const [appId, membership] of part.apps) {
      for (const channel of membership.channelCounts().keys()) {
        for (const userId of membership.members(channel).keys()) this.#afterLeave(appId, channel, userId, true);
        this.#afterLeave(appId, channel, undefined);
      }
      for (const userId of membership.users()) {
        if (!this.isUserOnline(appId, userId)) this.#listener.userOffline(appId, userId);
      }
    }
  }

  /** This node's own part, for snapshots. */
  ownMemberships(nodeId: string): ReadonlyMap<string, Membership> {
    return this.#part(nodeId).apps;
  }

  /** Connections per app of one node, as last reported. */
  connectionsOf(nodeId: string): ReadonlyMap<string, number> {
    return this.#part(nodeId).connections;
  }

  /** Subscribed sockets of a channel on every node together. */
  subscriptionCount(appId: string, channel: string): number {
    let count = 0;
    for (const part of this.#parts.values()) count += part.apps.get(appId)?.subscriptionCount(channel) ?? 0;
    return count;
  }

  /** Occupied channels of an app with their cluster-wide subscriber counts. */
  channels(appId: string): Map<string, number> {
    const merged = new Map<string, number>();
    for (const part of this.#parts.values()) {
      for (const [channel, count] of part.apps.get(appId)?.channelCounts() ?? []) {
        merged.set(channel, (merged.get(channel) ?? 0) + count);
      }
    }
    return merged;
  }

  /** Members of a presence channel on every node: user id → user info. */
  presenceMembers(appId: string, channel: string): Map<string, unknown> {
    const merged = new Map<string, unknown>();
    for (const part of this.#parts.values()) {
      for (const [userId, info] of part.apps.get(appId)?.members(channel) ?? []) {
        if (!merged.has(userId)) merged.set(userId, info);
      }
    }
    return merged;
  }

  /** Whether `userId` is a member of the presence channel on any node. */
  hasMember(appId: string, channel: string, userId: string): boolean {
    for (const part of this.#parts.values()) if (part.apps.get(appId)?.hasMember(channel, userId)) return true;
    return false;
  }

  /** Whether `userId` has a signed-in connection on any node. */
  isUserOnline(appId: string, userId: string): boolean {
    for (const part of this.#parts.values()) if (part.apps.get(appId)?.hasUser(userId)) return true;
    return false;
  }

  /** Open connections of an app on every node together. */
  connectionCount(appId: string): number {
    let count = 0;
    for (const part of this.#parts.values()) count += part.connections.get(appId) ?? 0;
    return count;
  }

  /** Reports what a departure changed; `memberOnly` reports just the member (node drops do counts after). */
  #afterLeave(appId: string, channel: string, userId: string | undefined, memberOnly = false): void {
    if (userId !== undefined && !this.hasMember(appId, channel, userId))
      this.#listener.memberRemoved(appId, channel, userId);
    if (memberOnly) return;
    const count = this.subscriptionCount(appId, channel);
    this.#listener.subscriptionCountChanged(appId, channel, count);
    if (count === 0) this.#listener.channelVacated(appId, channel);
  }

  #part(nodeId: string): NodePart {
    let part = this.#parts.get(nodeId);
    if (!part) this.#parts.set(nodeId, (part = { apps: new Map(), connections: new Map() }));
    return part;
  }

  #membership(nodeId: string, appId: string): Membership {
    const { apps } = this.#part(nodeId);
    let membership = apps.get(appId);
    if (!membership) apps.set(appId, (membership = new Membership()));
    return membership;
  }
}
