import type { WebSocket } from 'uWebSockets.js';
import type { PusherSocket } from '../protocol/Connection.js';

/** Counters of slow-client handling, shared by every socket of one server. */
export interface BackpressureStats {
  /** Frames uWS dropped because a client's buffer was over the limit. */
  droppedFrames: number;
}

/** A uWS WebSocket seen as a `PusherSocket`. Text frames only; no compression. */
export class UwsSocket<UserData> implements PusherSocket {
  readonly #ws: WebSocket<UserData>;
  readonly #stats: BackpressureStats;

  constructor(ws: WebSocket<UserData>, stats: BackpressureStats) {
    this.#ws = ws;
    this.#stats = stats;
  }

  send(frame: string): void {
    // 2 = dropped: uWS closes the socket itself (closeOnBackpressureLimit), we only count.
    if (this.#ws.send(frame, false, false) === 2) this.#stats.droppedFrames++;
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
  }
}
