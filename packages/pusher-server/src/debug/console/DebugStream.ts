import type { ServerResponse } from 'node:http';
import type { DebugBatch, DebugRecord } from '../DebugRecord.js';

/**
 * One browser's live log, as server-sent events. At most `maxPerSec` records a second go to the
 * browser; the rest are dropped here and counted (with what the producing nodes dropped), and the
 * count goes out with every message and a heartbeat each second, so the page always shows it.
 */
export class DebugStream {
  readonly #res: ServerResponse;
  readonly #maxPerSec: number;
  readonly #nowMs: () => number;
  readonly #timer: NodeJS.Timeout;
  #windowStartMs = 0;
  #sentInWindow = 0;
  #dropped = 0;

  constructor(res: ServerResponse, maxPerSec: number, nowMs: () => number) {
    this.#res = res;
    this.#maxPerSec = maxPerSec;
    this.#nowMs = nowMs;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    this.#write([]);
    this.#timer = setInterval(() => this.#write([]), 1000);
  }

  /** Takes a batch from any node; sends what fits in this second's budget. */
  push(batch: DebugBatch): void {
    this.#dropped += batch.dropped;
    const now = this.#nowMs();
    if (now - this.#windowStartMs >= 1000) {
      this.#windowStartMs = now;
      this.#sentInWindow = 0;
    }
    const room = Math.max(0, this.#maxPerSec - this.#sentInWindow);
    const records = batch.records.length > room ? batch.records.slice(0, room) : batch.records;
    this.#dropped += batch.records.length - records.length;
    this.#sentInWindow += records.length;
    if (records.length > 0 || batch.dropped > 0) this.#write(records);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #write(records: readonly DebugRecord[]): void {
    // A browser that does not read fast enough loses records rather than growing this buffer.
    if (this.#res.writableLength > 1024 * 1024) {
      this.#dropped += records.length;
      return;
    }
    this.#res.write(`data: ${JSON.stringify({ records, dropped: this.#dropped })}\n\n`);
  }
}
