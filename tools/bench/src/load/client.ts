import WebSocket from 'ws';
import { BENCH_FRAME_MARK, SeenSequences, type Deliveries } from './deliveries.js';

const CLIENT_OPTIONS = { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 10_000 } as const;
const STEP_TIMEOUT_MS = 15_000;

interface Frame {
  readonly event?: string;
  readonly channel?: string;
  readonly data?: unknown;
}

interface Waiter {
  readonly event: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * One raw `ws` client speaking protocol 7: waits for `pusher:connection_established`, subscribes,
 * tracks presence members, answers pings and hands bench events to `Deliveries`.
 */
export class BenchClient {
  readonly group: number;
  readonly #ws: WebSocket;
  readonly #deliveries: Deliveries;
  readonly #seen = new SeenSequences();
  /** Set when the bench closes the client itself; any other close is the server's doing. */
  #closing = false;
  #waiter: Waiter | undefined;
  socketId = '';
  /** Presence members as this client sees them; undefined until a presence subscription succeeds. */
  members: Set<string> | undefined;

  /** `ca`: the PEM CA to trust for a `wss://` URL (the bench's throwaway one). */
  constructor(url: string, group: number, deliveries: Deliveries, ca?: string) {
    this.group = group;
    this.#deliveries = deliveries;
    this.#ws = new WebSocket(url, ca === undefined ? CLIENT_OPTIONS : { ...CLIENT_OPTIONS, ca });
    this.#ws.on('message', (data: Buffer) => this.#onMessage(data.toString()));
    this.#ws.on('error', (error) => this.#fail(error));
    this.#ws.on('close', (code) => {
      // Counted only once the client was up: a refused handshake is a connect error instead.
      if (!this.#closing && this.socketId !== '') this.#deliveries.noteUnexpectedClose(code);
      this.#fail(new Error(`closed with ${code}`));
    });
  }

  /** Resolves on `pusher:connection_established`. */
  established(): Promise<void> {
    return this.#waitFor('pusher:connection_established');
  }

  subscribe(channel: string, extra: { auth?: string; channel_data?: string } = {}): Promise<void> {
    const done = this.#waitFor('pusher_internal:subscription_succeeded');
    this.#ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel, ...extra } }));
    return done;
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Closes and resolves once the socket is closed (or after a bounded wait). */
  close(): Promise<void> {
    this.#closing = true;
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#ws.terminate();
        resolve();
      }, 2000);
      this.#ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#ws.close();
    });
  }

  #waitFor(event: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(new Error(`no ${event} within ${STEP_TIMEOUT_MS} ms`)),
        STEP_TIMEOUT_MS,
      );
      const settle = (): void => clearTimeout(timer);
      this.#waiter = {
        event,
        resolve: () => (settle(), resolve()),
        reject: (error) => (settle(), reject(error)),
      };
    });
  }

  #onMessage(text: string): void {
    if (text.includes(BENCH_FRAME_MARK)) return this.#deliveries.record(this.group, text, this.#seen);
    const frame = JSON.parse(text) as Frame;
    const data = decodeData(frame.data);
    switch (frame.event) {
      case 'pusher:connection_established':
        this.socketId = String((data as { socket_id?: unknown } | undefined)?.socket_id);
        break;
      case 'pusher_internal:subscription_succeeded':
        this.#onSubscribed(data);
        break;
      case 'pusher_internal:member_added':
        this.members?.add(String((data as { user_id?: unknown } | undefined)?.user_id));
        break;
      case 'pusher_internal:member_removed':
        this.members?.delete(String((data as { user_id?: unknown } | undefined)?.user_id));
        break;
      case 'pusher:ping':
        this.#ws.send('{"event":"pusher:pong","data":{}}');
        break;
      case 'pusher:error':
      case 'pusher:subscription_error':
        this.#fail(new Error(`${frame.event}: ${JSON.stringify(data)}`));
        return;
    }
    const waiter = this.#waiter;
    if (waiter === undefined || waiter.event !== frame.event) return;
    this.#waiter = undefined;
    waiter.resolve();
  }

  #onSubscribed(data: unknown): void {
    const presence = (data as { presence?: { ids?: unknown } } | undefined)?.presence;
    if (presence && Array.isArray(presence.ids)) this.members = new Set(presence.ids.map(String));
  }

  #fail(error: Error): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }
}

/** Server→client `data` is a JSON string (PROTOCOL.md §3.1); an empty or non-JSON one stays as it is. */
function decodeData(data: unknown): unknown {
  if (typeof data !== 'string' || data === '') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

/** Runs `task(0 … count-1)` with at most `concurrency` at once; resolves when all have settled. */
export async function runBounded(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, runner));
}
