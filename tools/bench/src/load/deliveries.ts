import { Histogram } from '../util/histogram.js';
import { nowMs } from '../util/time.js';
import type { DeliveryReport } from './messages.js';

/** How a bench event's frame starts to look on the wire; nothing else contains it. */
export const BENCH_FRAME_MARK = '"event":"bench"';
/** The send timestamp inside the double-encoded `data` string: `{\"t\":1732…,\"s\":5}`. */
const TIMESTAMP_MARK = '\\"t\\":';

/** The `data` string of a bench event: the orchestrator's send time and a sequence number. */
export function benchData(sequence: number): string {
  return `{"t":${nowMs()},"s":${sequence}}`;
}

/**
 * Counts deliveries and their end-to-end latency per client group without parsing JSON: the
 * timestamp is read straight from the frame text, so a worker can take thousands per second.
 */
export class Deliveries {
  #groups: Histogram[] = [];
  #delivered = 0;
  #lastAtMs = 0;
  #offsetMs = 0;

  setClockOffset(offsetMs: number): void {
    this.#offsetMs = offsetMs;
  }

  record(group: number, frame: string): void {
    const at = nowMs() - this.#offsetMs;
    const i = frame.indexOf(TIMESTAMP_MARK);
    this.#delivered++;
    this.#lastAtMs = at;
    if (i < 0) return;
    const sentAt = Number.parseFloat(frame.slice(i + TIMESTAMP_MARK.length, i + TIMESTAMP_MARK.length + 24));
    (this.#groups[group] ??= new Histogram()).recordMs(at - sentAt);
  }

  reset(): void {
    this.#groups = [];
    this.#delivered = 0;
    this.#lastAtMs = 0;
  }

  report(groups: number): DeliveryReport {
    const byGroup = Array.from({ length: groups }, (_, i) => (this.#groups[i] ?? new Histogram()).toData());
    return { delivered: this.#delivered, byGroup, lastAtMs: this.#lastAtMs };
  }
}
