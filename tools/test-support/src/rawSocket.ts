import WebSocket from 'ws';
import type { TeardownHost } from './certs.js';

export interface ReceivedFrame {
  event: string;
  channel?: string;
  /** Decoded when the server sent a JSON string. */
  data?: any;
  user_id?: string;
}

/** A bare `ws` client for protocol edge cases that pusher-js would never send. */
export class RawSocket {
  readonly frames: ReceivedFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #ws: WebSocket;
  readonly #waiters = new Set<() => void>();

  constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as ReceivedFrame;
      if (typeof frame.data === 'string') frame.data = tryParse(frame.data);
      this.frames.push(frame);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  get socketId(): string {
    const established = this.frames.find((f) => f.event === 'pusher:connection_established');
    if (!established) throw new Error('not established yet');
    return established.data.socket_id;
  }

  send(message: unknown): void {
    this.#ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  close(): void {
    this.#ws.close();
  }

  /** Resolves with the first frame (from index `after` on) matching, or rejects at the deadline. */
  next(event: string, options: { after?: number; timeoutMs?: number; channel?: string } = {}): Promise<ReceivedFrame> {
    const { after = 0, timeoutMs = 5000, channel } = options;
    const find = () =>
      this.frames.slice(after).find((f) => f.event === event && (channel === undefined || f.channel === channel));
    return new Promise((resolve, reject) => {
      const check = () => {
        const frame = find();
        if (!frame) return;
        cleanup();
        resolve(frame);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${event} within ${timeoutMs} ms; got ${this.frames.map((f) => f.event).join(', ')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Opens a raw socket and waits for `connection_established` (or the close, for refusals). */
export async function rawConnect(
  t: TeardownHost,
  port: number,
  path = '/app/app-key?protocol=7&client=js&version=8.6.0',
): Promise<RawSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  t.teardown(() => ws.terminate());
  const socket = new RawSocket(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await Promise.race([socket.next('pusher:connection_established').catch(() => undefined), socket.closed]);
  return socket;
}
