import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { AppCounters } from '../metrics/AppCounters.js';
import type { PusherSocket } from '../protocol/Connection.js';

/** Counters of slow-client handling, shared by every socket of one server. */
export interface BackpressureStats {
  /** Frames uWS dropped because a client's buffer was over the limit. */
  droppedFrames: number;
}

/** Where a socket counts what it sends, when metrics are on. */
export interface SocketMeter {
  readonly counters: AppCounters;
  /** Local subscribers of a uWS topic (`app.numSubscribers`). */
  subscribers(topic: string): number;
}

/** A uWS WebSocket seen as a `PusherSocket`. Text frames only; no compression. */
export class UwsSocket<UserData> implements PusherSocket {
  readonly #ws: WebSocket<UserData>;
  readonly #stats: BackpressureStats;
  readonly #meter: SocketMeter | undefined;
  readonly #otherApps: (() => readonly TemplatedApp[]) | undefined;

  /** `otherApps`: the server's other uWS apps (after a TLS reload), which `ws.publish` does not reach. */
  constructor(
    ws: WebSocket<UserData>,
    stats: BackpressureStats,
    meter?: SocketMeter,
    otherApps?: () => readonly TemplatedApp[],
  ) {
    this.#ws = ws;
    this.#stats = stats;
    this.#meter = meter;
    this.#otherApps = otherApps;
  }

  send(frame: string): void {
    // 2 = dropped: uWS closes the socket itself (closeOnBackpressureLimit), we only count.
    if (this.#ws.send(frame, false, false) === 2) this.#stats.droppedFrames++;
    else this.#meter?.counters.fanout(1, frame);
  }

  close(code: number, reason: string): void {
    this.#ws.end(code, reason);
  }

  subscribe(topic: string): void {
    this.#ws.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    this.#ws.unsubscribe(topic);
  }

  publishToOthers(topic: string, frame: string): void {
    this.#ws.publish(topic, frame, false, false);
    if (this.#otherApps) for (const app of this.#otherApps()) app.publish(topic, frame, false, false);
    // Every local subscriber but this socket (it is in the topic: see TopicFanout.publishLocal).
    if (this.#meter) this.#meter.counters.fanout(this.#meter.subscribers(topic) - 1, frame);
  }
}
