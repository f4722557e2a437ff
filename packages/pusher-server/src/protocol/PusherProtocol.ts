import type { AdapterListener, LocalFanout, PeerChange, PresenceMember } from '../adapter/Adapter.js';
import type { App } from '../app-manager/App.js';
import { channelType } from './channels.js';
import { handleClientEvent } from './clientEvents.js';
import { AppDisabled, PongNotReceived, Unauthorized, type CloseCode } from './CloseCodes.js';
import { channelKey } from '../util/channelKey.js';
import { Connection, type PusherSocket } from './Connection.js';
import * as frames from './frames.js';
import type { ClientMessage, ProtocolContext } from './ProtocolContext.js';
import { handleSignin } from './signin.js';
import { createSocketIdGenerator } from './socketIds.js';
import { handleSubscribe, handleUnsubscribe, leave } from './subscriptions.js';

type Handler = (connection: Connection, message: ClientMessage) => void;

export interface PusherProtocolOptions extends ProtocolContext {
  /** Where the frames of the adapter's transitions go: this node's subscribers. */
  readonly fanout: LocalFanout;
}

/**
 * The Pusher protocol for this process's sockets, with no uWS inside: connection state,
 * message handling, activity timeouts, and the server side of the adapter (it turns
 * membership transitions into frames for local subscribers). Events published through the HTTP
 * API do not pass through here (see `createProtocolCore`).
 */
export class PusherProtocol implements AdapterListener {
  readonly #ctx: ProtocolContext;
  readonly #fanout: LocalFanout;
  readonly #nextSocketId = createSocketIdGenerator();
  readonly #appsById = new Map<string, App>();
  readonly #pendingCounts = new Map<string, { appId: string; channel: string; count: number }>();
  readonly #handlers: Record<string, Handler> = {
    'pusher:ping': (c) => c.send(frames.PONG_FRAME),
    'pusher:pong': () => undefined,
    'pusher:subscribe': (c, m) => handleSubscribe(this.#ctx, c, m.data),
    'pusher:unsubscribe': (c, m) => handleUnsubscribe(this.#ctx, c, m.data),
    'pusher:signin': (c, m) => handleSignin(this.#ctx, c, m.data),
  };

  constructor(options: PusherProtocolOptions) {
    const { fanout, ...context } = options;
    this.#ctx = context;
    this.#fanout = fanout;
  }

  get connectionCount(): number {
    return this.#ctx.registry.size;
  }

  /** A socket for `app` opened: registers it and sends `connection_established`. */
  open(socket: PusherSocket, app: App): Connection {
    const now = this.#ctx.nowMs();
    const connection = new Connection(this.#nextSocketId(), app, socket, now);
    if (app.enableUserAuthentication) connection.authDeadlineMs = now + this.#ctx.config.userAuthenticationTimeoutMs;
    this.#appsById.set(app.id, app);
    this.#ctx.registry.add(connection);
    this.#ctx.adapter.countConnection(app.id, 1);
    connection.send(frames.connectionEstablished(connection.id, this.#ctx.config.activityTimeoutSec));
    if (this.#ctx.debug?.on) this.#ctx.debug.record(app.id, { kind: 'connection_opened', socketId: connection.id });
    return connection;
  }

  /** A text frame arrived. Bad input gets a `pusher:error`; nothing here closes the socket. */
  message(connection: Connection, text: string): void {
    connection.lastActivityMs = this.#ctx.nowMs();
    connection.pingSentAtMs = undefined;
    const message = parseClientMessage(text);
    if (typeof message === 'string') {
      connection.send(frames.errorFrame(message));
      return;
    }
    if (this.#ctx.config.debug) this.#trace(connection, message);
    const handler = this.#handlers[message.event];
    if (handler) handler(connection, message);
    else if (message.event.startsWith('client-')) handleClientEvent(this.#ctx, connection, message);
    else connection.send(frames.errorFrame(`Unsupported event: ${message.event.slice(0, 64)}`));
  }

  /** Any sign of life that is not a text message (a binary frame, a WebSocket pong). */
  touch(connection: Connection): void {
    connection.lastActivityMs = this.#ctx.nowMs();
    connection.pingSentAtMs = undefined;
  }

  /** The socket closed, for whatever reason: leaves every channel and forgets the user. */
  closed(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    for (const channel of [...connection.channels.keys()]) leave(this.#ctx, connection, channel);
    this.#ctx.registry.remove(connection);
    if (connection.userId !== undefined)
      this.#ctx.adapter.removeUser(connection.app.id, connection.userId, connection.id);
    this.#ctx.adapter.countConnection(connection.app.id, -1);
    if (this.#ctx.debug?.on)
      this.#ctx.debug.record(connection.app.id, { kind: 'connection_closed', socketId: connection.id });
  }

  /**
   * Pings connections silent for the activity timeout, closes those that still did not answer
   * (4201), and those of sign-in-only apps that did not authorize in time (4009).
   */
  sweep(): void {
    const now = this.#ctx.nowMs();
    const { activityTimeoutSec, pongTimeoutMs } = this.#ctx.config;
    for (const connection of this.#ctx.registry.all()) {
      if (connection.authDeadlineMs !== undefined && now >= connection.authDeadlineMs) {
        closeWith(connection, Unauthorized, 'Sign in or authorize a channel within the time limit');
      } else if (connection.pingSentAtMs !== undefined) {
        if (now - connection.pingSentAtMs >= pongTimeoutMs) closeWith(connection, PongNotReceived);
      } else if (now - connection.lastActivityMs >= activityTimeoutSec * 1000) {
        connection.pingSentAtMs = now;
        connection.send(frames.PING_FRAME);
      }
    }
  }

  /** Closes every socket with `code` (4200 on shutdown, so clients reconnect elsewhere at once). */
  closeAll(code: CloseCode): void {
    for (const connection of [...this.#ctx.registry.all()]) closeWith(connection, code);
  }

  /** Ids of the apps with open sockets on this process (the apps worth re-validating). */
  connectedAppIds(): Set<string> {
    const ids = new Set<string>();
    for (const connection of this.#ctx.registry.all()) ids.add(connection.app.id);
    return ids;
  }

  /**
   * Apps as their source has them now (`undefined`: deleted): their sockets take the new
   * settings, or are closed with 4003 when the app was disabled or deleted. One pass over the
   * sockets for all the apps of a re-validation.
   */
  appsChanged(changes: ReadonlyMap<string, App | undefined>): void {
    for (const [appId, app] of changes) if (app) this.#appsById.set(appId, app);
    // A copy: closing a socket removes it from the registry.
    for (const connection of [...this.#ctx.registry.all()]) {
      if (!changes.has(connection.app.id)) continue;
      const app = changes.get(connection.app.id);
      if (app?.enabled) connection.app = app;
      else closeWith(connection, AppDisabled);
    }
  }

  // ── AdapterListener ───────────────────────────────────────────────────────

  memberAdded(appId: string, channel: string, member: PresenceMember, originSocketId?: string): void {
    this.#fanout.publishLocal(
      appId,
      channel,
      frames.memberAdded(channel, member.userId, member.userInfo),
      originSocketId,
    );
    this.#ctx.webhooks?.memberAdded(appId, channel, member.userId);
    // Every node hears the transition; the joiner's node (the one with the origin socket) records it.
    if (this.#ctx.debug?.on && originSocketId !== undefined) {
      this.#ctx.debug.record(appId, { kind: 'member_added', channel, userId: member.userId, socketId: originSocketId });
    }
  }

  memberRemoved(appId: string, channel: string, userId: string): void {
    this.#fanout.publishLocal(appId, channel, frames.memberRemoved(channel, userId));
    this.#ctx.webhooks?.memberRemoved(appId, channel, userId);
  }

  subscriptionCountChanged(appId: string, channel: string, count: number): void {
    this.#ctx.webhooks?.subscriptionCountChanged(appId, channel, count);
    if (!this.#appsById.get(appId)?.enableSubscriptionCount || channelType(channel) === 'presence') return;
    // A burst of joins becomes one event per channel, sent after the joiners' subscription_succeeded.
    const key = channelKey(appId, channel);
    if (!this.#pendingCounts.has(key)) queueMicrotask(() => this.#flushCount(key));
    this.#pendingCounts.set(key, { appId, channel, count });
  }

  /** The protocol itself sends nothing here; the webhooks decide whether this node reports it. */
  channelOccupied(appId: string, channel: string): void {
    this.#ctx.webhooks?.channelOccupied(appId, channel);
  }

  channelVacated(appId: string, channel: string): void {
    this.#ctx.webhooks?.channelVacated(appId, channel);
  }

  userOnline(appId: string, userId: string): void {
    this.#notifyWatchers(appId, userId, 'online');
  }

  userOffline(appId: string, userId: string): void {
    this.#notifyWatchers(appId, userId, 'offline');
  }

  peerStateChanged(change: PeerChange): void {
    this.#ctx.webhooks?.peerStateChanged(change);
  }

  terminateLocalUser(appId: string, userId: string): void {
    for (const connection of this.#ctx.registry.connectionsOfUser(appId, userId)) {
      closeWith(connection, Unauthorized, 'Connection terminated by the app');
    }
  }

  #trace(connection: Connection, message: ClientMessage): void {
    const channel =
      typeof message.channel === 'string'
        ? message.channel
        : (message.data as { channel?: unknown } | undefined)?.channel;
    this.#ctx.logger.debug('message received', { socketId: connection.id, event: message.event, channel });
  }

  #flushCount(key: string): void {
    const pending = this.#pendingCounts.get(key);
    this.#pendingCounts.delete(key);
    if (pending)
      this.#fanout.publishLocal(
        pending.appId,
        pending.channel,
        frames.subscriptionCount(pending.channel, pending.count),
      );
  }

  #notifyWatchers(appId: string, userId: string, name: 'online' | 'offline'): void {
    const watchers = this.#ctx.registry.watchersOf(appId, userId);
    if (watchers.size === 0) return;
    const frame = frames.watchlistEvents([{ name, user_ids: [userId] }]);
    for (const connection of watchers) connection.send(frame);
  }
}

function closeWith(connection: Connection, code: CloseCode, reason = code.reason): void {
  connection.send(frames.errorFrame(reason, code.code));
  connection.close(code.code, reason);
}

/** Parses one client frame, or says what is wrong with it. */
export function parseClientMessage(text: string): ClientMessage | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'Invalid JSON: every message must be a JSON object with an "event"';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return 'Invalid message: expected a JSON object with an "event"';
  }
  const { event } = parsed as { event?: unknown };
  if (typeof event !== 'string' || event.length === 0) return 'Invalid message: "event" must be a non-empty string';
  return parsed as ClientMessage;
}
