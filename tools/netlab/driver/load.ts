import type Pusher from 'pusher';
import { DriverClient, sdkFor, untilTrue } from './clients.js';

export interface LoadOptions {
  channel: string;
  /** Server addresses the publisher cycles through, one event per request. */
  addresses: string[];
  ratePerSec: number;
}

/** One event the publisher sent: its sequence number, the server index and the HTTP outcome. */
export type SentEvent = [seq: number, server: number, accepted: boolean];

export interface LoadResult {
  sent: SentEvent[];
  /** Per server index: the sequence numbers its subscriber received, in order. */
  received: number[][];
  durationMs: number;
  /** Why requests were not accepted: `server index: reason` → count. */
  failures: Record<string, number>;
}

const TICK_MS = 20;
const EVENT = 'load';
/** Events per request: the server's default batch limit. One request per tick keeps the publisher light. */
const BATCH_SIZE = 10;

/**
 * A publisher sending `ratePerSec` events through every server in turn (round robin, in batch
 * requests of up to 10 events), and one subscriber per server on the same channel. The publisher keeps
 * its pace whether a server answers or not: a request to an unreachable server times out and is
 * recorded as not accepted.
 */
export class Load {
  readonly #options: LoadOptions;
  readonly #sdks: Pusher[];
  readonly #subscribers: DriverClient[];
  readonly #received: number[][];
  readonly #sent: SentEvent[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #failures: Record<string, number> = {};
  #timer: NodeJS.Timeout | undefined;
  #batches = 0;
  #startedAt = 0;

  constructor(options: LoadOptions) {
    this.#options = options;
    this.#sdks = options.addresses.map((address) => sdkFor(address, 1500));
    this.#subscribers = options.addresses.map((address) => new DriverClient(address, undefined));
    this.#received = options.addresses.map(() => []);
  }

  async start(): Promise<void> {
    await Promise.all(
      this.#subscribers.map(async (subscriber, index) => {
        await subscriber.connected(10_000);
        await subscriber.subscribe(this.#options.channel, 10_000);
        subscriber.bindEvent(this.#options.channel, EVENT, (data) =>
          this.#received[index]?.push((data as { seq: number }).seq),
        );
      }),
    );
    this.#startedAt = Date.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  /** Stops publishing, waits for answers and for deliveries to settle, closes the subscribers. */
  async stop(): Promise<LoadResult> {
    clearInterval(this.#timer);
    const durationMs = Date.now() - this.#startedAt;
    await Promise.all(this.#inFlight);
    await this.#settled();
    for (const subscriber of this.#subscribers) subscriber.close();
    return { sent: this.#sent, received: this.#received, durationMs, failures: this.#failures };
  }

  #tick(): void {
    const due = Math.floor(((Date.now() - this.#startedAt) * this.#options.ratePerSec) / 1000);
    while (this.#sent.length < due) {
      const first = this.#sent.length;
      this.#publishBatch(first, Math.min(BATCH_SIZE, due - first));
    }
  }

  /** Sends events `first…first+count-1` in one batch request to the next server in turn. */
  #publishBatch(first: number, count: number): void {
    const server = this.#batches++ % this.#sdks.length;
    const entries: SentEvent[] = [];
    for (let seq = first; seq < first + count; seq++) entries.push([seq, server, false]);
    this.#sent.push(...entries);
    const batch = entries.map(([seq]) => ({ channel: this.#options.channel, name: EVENT, data: { seq } }));
    const request = (this.#sdks[server] as Pusher)
      .triggerBatch(batch)
      .then((response) => {
        for (const entry of entries) entry[2] = response.status === 200;
      })
      .catch((error: unknown) => {
        const key = `${server}: ${describeFailure(error)}`;
        this.#failures[key] = (this.#failures[key] ?? 0) + count;
      })
      .finally(() => this.#inFlight.delete(request));
    this.#inFlight.add(request);
  }

  /** Waits until no subscriber has received anything for a second (at most 10 s). */
  async #settled(): Promise<void> {
    let last = -1;
    let stableSince = Date.now();
    await untilTrue(
      () => {
        const total = this.#received.reduce((sum, seqs) => sum + seqs.length, 0);
        if (total !== last) {
          last = total;
          stableSince = Date.now();
        }
        return Date.now() - stableSince >= 1000;
      },
      10_000,
      'deliveries settling',
    ).catch(() => undefined);
  }
}

/** The SDK's `RequestError` wraps the cause: show the HTTP status or the underlying error. */
function describeFailure(error: unknown): string {
  const { status, error: cause, body } = error as { status?: number; error?: Error; body?: string };
  if (status !== undefined) return `HTTP ${status} ${String(body ?? '').slice(0, 60)}`;
  if (cause instanceof Error)
    return `${(cause as NodeJS.ErrnoException).code ?? cause.name} ${cause.message.slice(-50)}`;
  return error instanceof Error ? error.message.slice(0, 80) : String(error);
}
