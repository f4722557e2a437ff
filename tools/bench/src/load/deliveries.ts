import { Histogram } from '../util/histogram.js';
import { nowMs } from '../util/time.js';
import type { DeliveryReport } from './messages.js';

/** How a bench event's frame starts to look on the wire; nothing else contains it. */
export const BENCH_FRAME_MARK = '"event":"bench"';
/** The fields inside the double-encoded `data` string: `{\"p\":3,\"t\":1732…,\"s\":5}`. */
const PHASE_MARK = '\\"p\\":';
const TIMESTAMP_MARK = '\\"t\\":';
const SEQUENCE_MARK = '\\"s\\":';

/**
 * The `data` string of a bench event: the measurement phase it belongs to, the orchestrator's
 * send time and a sequence number unique within the phase.
 */
export function benchData(phase: number, sequence: number): string {
  return `{"p":${phase},"t":${nowMs()},"s":${sequence}}`;
}

/** The number right after `mark` in `frame`, or NaN. */
function numberAfter(frame: string, mark: string, from = 0): number {
  const i = frame.indexOf(mark, from);
  return i < 0 ? Number.NaN : Number.parseFloat(frame.slice(i + mark.length, i + mark.length + 24));
}

/** The fields of a bench frame that the counting needs; read without parsing the JSON. */
export function readBenchFrame(frame: string): { phase: number; sentAtMs: number; sequence: number } {
  return {
    phase: numberAfter(frame, PHASE_MARK),
    sentAtMs: numberAfter(frame, TIMESTAMP_MARK),
    sequence: numberAfter(frame, SEQUENCE_MARK),
  };
}

/**
 * The sequences one client has received in one phase, as a growable bitmap: a second delivery of
 * the same event to the same client is a duplicate, which must not hide a lost one.
 */
export class SeenSequences {
  #phase = -1;
  #bits = new Uint8Array(128);

  /** Marks `sequence` seen in `phase`; false when it already was. */
  add(phase: number, sequence: number): boolean {
    if (phase !== this.#phase) {
      this.#phase = phase;
      this.#bits.fill(0);
    }
    const byte = sequence >>> 3;
    if (byte >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    const mask = 1 << (sequence & 7);
    const seen = (this.#bits[byte] ?? 0) & mask;
    this.#bits[byte] = (this.#bits[byte] ?? 0) | mask;
    return seen === 0;
  }
}

/**
 * Counts the deliveries of the current phase and their end-to-end latency per client group. A
 * phase starts from zero: events of an earlier phase (a warm-up's stragglers) are counted apart
 * as `stale`, and a repeated event as a `duplicate`, so neither can pass for a delivery.
 */
export class Deliveries {
  #phase = 0;
  #groups: Histogram[] = [];
  #delivered = 0;
  #duplicates = 0;
  #stale = 0;
  #malformed = 0;
  #closes = new Map<number, number>();
  #lastAtMs = 0;
  #offsetMs = 0;

  setClockOffset(offsetMs: number): void {
    this.#offsetMs = offsetMs;
  }

  record(group: number, frame: string, seen: SeenSequences): void {
    const at = nowMs() - this.#offsetMs;
    const { phase, sentAtMs, sequence } = readBenchFrame(frame);
    if (!Number.isInteger(phase) || !Number.isFinite(sentAtMs) || !Number.isInteger(sequence) || sequence < 0) {
      this.#malformed++;
      return;
    }
    if (phase !== this.#phase) {
      this.#stale++;
      return;
    }
    if (!seen.add(phase, sequence)) {
      this.#duplicates++;
      return;
    }
    this.#delivered++;
    this.#lastAtMs = at;
    (this.#groups[group] ??= new Histogram()).recordMs(at - sentAtMs);
  }

  /** A client the server closed (or whose connection broke): its deliveries will be missing. */
  noteUnexpectedClose(code: number): void {
    this.#closes.set(code, (this.#closes.get(code) ?? 0) + 1);
  }

  /** Starts counting `phase` from zero. */
  begin(phase: number): void {
    this.#phase = phase;
    this.#groups = [];
    this.#delivered = 0;
    this.#duplicates = 0;
    this.#stale = 0;
    this.#malformed = 0;
    this.#closes = new Map();
    this.#lastAtMs = 0;
  }

  report(groups: number): DeliveryReport {
    const byGroup = Array.from({ length: groups }, (_, i) => (this.#groups[i] ?? new Histogram()).toData());
    return {
      phase: this.#phase,
      delivered: this.#delivered,
      duplicates: this.#duplicates,
      stale: this.#stale,
      malformed: this.#malformed,
      unexpectedCloses: Object.fromEntries(this.#closes),
      byGroup,
      lastAtMs: this.#lastAtMs,
    };
  }
}
