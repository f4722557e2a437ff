import type { App } from '../app-manager/App.js';

/**
 * The little the protocol core needs from a WebSocket. The uWS frontend implements it over
 * native sockets; tests implement it in memory.
 */
export interface PusherSocket {
  send(frame: string): void;
  close(code: number, reason: string): void;
  /** Joins a fan-out topic (uWS native pub/sub). */
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  /** Sends to every subscriber of `topic` except this socket (uWS `ws.publish`). */
  publishToOthers(topic: string, frame: string): void;
}

/** One subscription of a connection; presence subscriptions remember who joined. */
export interface Subscription {
  readonly userId?: string;
  /**
   * Set when `subscription_succeeded` goes out, and only then does the socket join the channel's
   * topic: a socket receives nothing about a channel before its own success.
   */
  inTopic: boolean;
}

/** The protocol state of one open WebSocket. */
export class Connection {
  readonly id: string;
  /** Replaced when the app's settings change at its source (`PusherProtocol.appChanged`). */
  app: App;
  readonly socket: PusherSocket;
  readonly channels = new Map<string, Subscription>();
  /** Set once `pusher:signin` succeeded. */
  userId: string | undefined;
  watchlist: readonly string[] = [];
  lastActivityMs: number;
  /** When the server sent `pusher:ping` and is waiting for any answer. */
  pingSentAtMs: number | undefined;
  /** Apps that require sign-in close the connection at this time unless it authorized. */
  authDeadlineMs: number | undefined;
  closed = false;

  constructor(id: string, app: App, socket: PusherSocket, nowMs: number) {
    this.id = id;
    this.app = app;
    this.socket = socket;
    this.lastActivityMs = nowMs;
  }

  /** Sends unless the socket already closed (a closed uWS socket throws on use). */
  send(frame: string): void {
    if (!this.closed) this.socket.send(frame);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason);
  }
}
