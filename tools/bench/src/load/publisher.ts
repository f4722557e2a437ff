import { HttpConnection } from './httpConnection.js';
import { signedQuery, type AppCredentials } from './signer.js';

/** The event name every bench publish uses; clients count only these. */
export const BENCH_EVENT = 'bench';

export interface PublishOutcome {
  /** HTTP status; 0 when the connection failed. */
  readonly status: number;
  /** Index of the node (port) the request went to. */
  readonly node: number;
}

export interface EventToPublish {
  readonly channel: string;
  readonly data: string;
}

interface Job {
  readonly build: (node: number) => EventToPublish;
  readonly done: (outcome: PublishOutcome) => void;
}

interface Slot {
  readonly connection: HttpConnection;
  readonly node: number;
}

export interface PublisherOptions {
  /** HTTP ports; connection `i` goes to `ports[i % ports.length]`. */
  readonly ports: readonly number[];
  /** Keep-alive connections, each with one request in flight: the concurrency bound. */
  readonly connections: number;
  readonly app: AppCredentials;
  /** HTTPS, trusting this PEM CA. */
  readonly ca?: string | undefined;
}

/**
 * Signed `POST /apps/:id/events` over a fixed set of keep-alive connections (PROTOCOL.md §3.6).
 * Events wait in a queue for a free connection, and their body is built only then, so a
 * timestamp inside it is the moment the request is written.
 */
export class Publisher {
  readonly #app: AppCredentials;
  readonly #idle: Slot[];
  readonly #queue: Job[] = [];
  #live: number;

  private constructor(app: AppCredentials, slots: Slot[]) {
    this.#app = app;
    this.#idle = slots;
    this.#live = slots.length;
  }

  static async open(options: PublisherOptions): Promise<Publisher> {
    const slots = await Promise.all(
      Array.from({ length: options.connections }, async (_, i) => {
        const node = i % options.ports.length;
        return { connection: await HttpConnection.open(options.ports[node] ?? 0, options.ca), node };
      }),
    );
    return new Publisher(options.app, slots);
  }

  /** Requests queued or in flight. */
  get backlog(): number {
    return this.#queue.length + (this.#live - this.#idle.length);
  }

  publish(build: (node: number) => EventToPublish): Promise<PublishOutcome> {
    return new Promise((done) => {
      this.#queue.push({ build, done });
      this.#pump();
    });
  }

  close(): void {
    for (const slot of this.#idle) slot.connection.close();
    this.#idle.length = 0;
  }

  #pump(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const slot = this.#idle.pop() as Slot;
      const job = this.#queue.shift() as Job;
      void this.#send(slot, job);
    }
    if (this.#live === 0) for (const job of this.#queue.splice(0)) job.done({ status: 0, node: -1 });
  }

  async #send(slot: Slot, job: Job): Promise<void> {
    const { channel, data } = job.build(slot.node);
    const body = JSON.stringify({ name: BENCH_EVENT, channel, data });
    const path = `/apps/${this.#app.id}/events`;
    const query = signedQuery(this.#app, 'POST', path, body, Math.floor(Date.now() / 1000));
    try {
      const status = await slot.connection.post(`${path}?${query}`, body);
      this.#idle.push(slot);
      job.done({ status, node: slot.node });
    } catch {
      this.#live--;
      job.done({ status: 0, node: slot.node });
    }
    this.#pump();
  }
}
