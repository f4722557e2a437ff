import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import { DEFAULT_APP } from '@meshpush/test-support';

/** One answered publish: when it was sent (ms, performance clock) and the status it got. */
interface Answer {
  readonly sentAtMs: number;
  readonly status: number;
}

export interface PublisherOptions {
  port: number;
  /** Requests per second, sent on schedule (open loop) while fewer than `maxInFlight` are pending. */
  requestsPerSec: number;
  /** Channels per event: each request is that many backend events (one point per channel). */
  channelsPerEvent: number;
  /** @default 32 */
  maxInFlight?: number;
}

/**
 * A signed `POST /apps/app-id/events` publisher on keep-alive connections, counting the
 * server's 200 and 429 answers. Cheap per request (plain `node:http`, one body signed per
 * second), so three of them fit beside three servers on a small machine.
 */
export class Publisher {
  readonly answers: Answer[] = [];
  readonly channelsPerEvent: number;
  /** Requests not sent because too many were pending (the server or this process lagged). */
  skipped = 0;
  readonly #options: Required<PublisherOptions>;
  readonly #agent: http.Agent;
  readonly #body: string;
  readonly #bodyMd5: string;
  #inFlight = 0;
  #sent = 0;
  #timer: NodeJS.Timeout | undefined;
  #startMs = 0;

  constructor(options: PublisherOptions) {
    this.#options = { maxInFlight: 32, ...options };
    this.channelsPerEvent = options.channelsPerEvent;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const channels = Array.from({ length: options.channelsPerEvent }, (_, i) => `load-${i}`);
    this.#body = JSON.stringify({ name: 'load', data: '{}', channels });
    this.#bodyMd5 = createHash('md5').update(this.#body).digest('hex');
  }

  start(): this {
    this.#startMs = performance.now();
    this.#timer = setInterval(() => this.#tick(), 5);
    return this;
  }

  /** Stops sending and waits (bounded) for the pending answers. */
  async stop(timeoutMs = 5000): Promise<void> {
    clearInterval(this.#timer);
    const deadline = Date.now() + timeoutMs;
    while (this.#inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    this.#agent.destroy();
  }

  /** Events admitted (200) among requests sent in [fromMs, toMs) on the performance clock. */
  admittedEvents(fromMs = -Infinity, toMs = Infinity): number {
    return this.count(200, fromMs, toMs) * this.channelsPerEvent;
  }

  count(status: number, fromMs = -Infinity, toMs = Infinity): number {
    return this.answers.filter((a) => a.status === status && a.sentAtMs >= fromMs && a.sentAtMs < toMs).length;
  }

  /** Statuses other than 200 and 429 (a failed connection counts as 0). */
  unexpected(): number[] {
    return this.answers.filter((a) => a.status !== 200 && a.status !== 429).map((a) => a.status);
  }

  #tick(): void {
    const due = Math.floor((this.#options.requestsPerSec * (performance.now() - this.#startMs)) / 1000);
    for (; this.#sent < due; this.#sent++) {
      if (this.#inFlight < this.#options.maxInFlight) this.#send();
      else this.skipped++;
    }
  }

  #send(): void {
    this.#inFlight++;
    const sentAtMs = performance.now();
    const done = (status: number): void => {
      this.#inFlight--;
      this.answers.push({ sentAtMs, status });
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port: this.#options.port,
        method: 'POST',
        path: this.#signedPath(),
        agent: this.#agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(this.#body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', () => done(0));
    req.end(this.#body);
  }

  #signedPath(): string {
    const path = `/apps/${DEFAULT_APP.appId}/events`;
    const query = `auth_key=${DEFAULT_APP.key}&auth_timestamp=${Math.floor(Date.now() / 1000)}&auth_version=1.0&body_md5=${this.#bodyMd5}`;
    const signature = createHmac('sha256', DEFAULT_APP.secret).update(`POST\n${path}\n${query}`).digest('hex');
    return `${path}?${query}&auth_signature=${signature}`;
  }
}

/** Runs the publishers for a fixed load window (a bounded loop, not a wait for a condition). */
export async function runLoad(publishers: readonly Publisher[], windowMs: number): Promise<void> {
  for (const publisher of publishers) publisher.start();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  await Promise.all(publishers.map((publisher) => publisher.stop()));
}
