import type { PresenceMember } from './Adapter.js';

interface PresenceEntry {
  readonly userInfo: unknown;
  readonly sockets: Set<string>;
}

/** A presence channel's members, plus which user each socket joined as (O(1) removal). */
interface PresenceChannel {
  readonly members: Map<string, PresenceEntry>;
  readonly userOfSocket: Map<string, string>;
}

/** What changed when a socket joined or left; the adapter turns it into listener calls. */
export interface MembershipChange {
  /** The channel went from 0 to 1 subscriber, or from 1 to 0. */
  readonly occupancyChanged: boolean;
  /** A presence user went from 0 to 1 sockets, or from 1 to 0. */
  readonly userChanged: boolean;
  readonly subscriptionCount: number;
}

const NO_CHANGE: MembershipChange = { occupancyChanged: false, userChanged: false, subscriptionCount: -1 };

/**
 * One process's channels, presence members and signed-in users, for one app.
 * Pure bookkeeping: no I/O, no events. The local adapter is this plus listener calls; the
 * cluster adapter keeps one of these for itself and a read-only replica per peer.
 */
export class Membership {
  readonly #channels = new Map<string, Set<string>>();
  readonly #presence = new Map<string, PresenceChannel>();
  readonly #users = new Map<string, Set<string>>();

  /** A socket joined a channel (as `member` on a presence channel); says whether the channel or member is new. */
  addSubscriber(channel: string, socketId: string, member?: PresenceMember): MembershipChange {
    let sockets = this.#channels.get(channel);
    if (!sockets) this.#channels.set(channel, (sockets = new Set()));
    if (sockets.has(socketId)) return NO_CHANGE;
    sockets.add(socketId);
    const userChanged = member ? this.#addMember(channel, socketId, member) : false;
    return { occupancyChanged: sockets.size === 1, userChanged, subscriptionCount: sockets.size };
  }

  /** A socket left a channel; says whether the channel is now empty or the member gone. */
  removeSubscriber(channel: string, socketId: string): MembershipChange & { userId?: string } {
    const sockets = this.#channels.get(channel);
    if (!sockets?.delete(socketId)) return NO_CHANGE;
    if (sockets.size === 0) this.#channels.delete(channel);
    const removedUser = this.#removeMember(channel, socketId);
    return {
      occupancyChanged: sockets.size === 0,
      userChanged: removedUser !== undefined,
      subscriptionCount: sockets.size,
      ...(removedUser !== undefined ? { userId: removedUser } : {}),
    };
  }

  /** Returns true when this is the user's first connection here. */
  addUser(userId: string, socketId: string): boolean {
    let sockets = this.#users.get(userId);
    if (!sockets) this.#users.set(userId, (sockets = new Set()));
    const before = sockets.size;
    sockets.add(socketId);
    return before === 0 && sockets.size === 1;
  }

  /** Returns true when this was the user's last connection here. */
  removeUser(userId: string, socketId: string): boolean {
    const sockets = this.#users.get(userId);
    if (!sockets?.delete(socketId)) return false;
    if (sockets.size > 0) return false;
    this.#users.delete(userId);
    return true;
  }

  /** Subscribed sockets of a channel here. */
  subscriptionCount(channel: string): number {
    return this.#channels.get(channel)?.size ?? 0;
  }

  /** Occupied channels with their subscriber counts. */
  channelCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [channel, sockets] of this.#channels) counts.set(channel, sockets.size);
    return counts;
  }

  /** Members of a presence channel: user id → user info (first connection's info wins). */
  members(channel: string): Map<string, unknown> {
    const members = new Map<string, unknown>();
    for (const [userId, entry] of this.#presence.get(channel)?.members ?? []) members.set(userId, entry.userInfo);
    return members;
  }

  /** Whether `userId` is a member of the presence channel here. */
  hasMember(channel: string, userId: string): boolean {
    return this.#presence.get(channel)?.members.has(userId) ?? false;
  }

  /** The user info a presence member joined with (undefined when not a member). */
  memberInfo(channel: string, userId: string): unknown {
    return this.#presence.get(channel)?.members.get(userId)?.userInfo;
  }

  /** Whether `userId` has a signed-in connection here. */
  hasUser(userId: string): boolean {
    return this.#users.has(userId);
  }

  /** Signed-in users with at least one connection here. */
  users(): string[] {
    return [...this.#users.keys()];
  }

  /** Every subscription, with the member it joined as: enough to rebuild this state elsewhere. */
  *subscriptions(): Generator<[channel: string, socketId: string, member: PresenceMember | undefined]> {
    for (const [channel, sockets] of this.#channels) {
      const presence = this.#presence.get(channel);
      for (const socketId of sockets) {
        const userId = presence?.userOfSocket.get(socketId);
        const entry = userId === undefined ? undefined : presence?.members.get(userId);
        yield [channel, socketId, userId !== undefined && entry ? { userId, userInfo: entry.userInfo } : undefined];
      }
    }
  }

  /** Every signed-in connection. */
  *userSockets(): Generator<[userId: string, socketId: string]> {
    for (const [userId, sockets] of this.#users) for (const socketId of sockets) yield [userId, socketId];
  }

  #addMember(channel: string, socketId: string, member: PresenceMember): boolean {
    let presence = this.#presence.get(channel);
    if (!presence) this.#presence.set(channel, (presence = { members: new Map(), userOfSocket: new Map() }));
    presence.userOfSocket.set(socketId, member.userId);
    const entry = presence.members.get(member.userId);
    if (entry) {
      entry.sockets.add(socketId);
      return false;
    }
    presence.members.set(member.userId, { userInfo: member.userInfo, sockets: new Set([socketId]) });
    return true;
  }

  /** Removes the socket from its member; returns the user id if it was that user's last socket. */
  #removeMember(channel: string, socketId: string): string | undefined {
    const presence = this.#presence.get(channel);
    const userId = presence?.userOfSocket.get(socketId);
    if (!presence || userId === undefined) return undefined;
    presence.userOfSocket.delete(socketId);
    const entry = presence.members.get(userId);
    entry?.sockets.delete(socketId);
    if (entry && entry.sockets.size > 0) return undefined;
    presence.members.delete(userId);
    if (presence.members.size === 0) this.#presence.delete(channel);
    return userId;
  }
}
