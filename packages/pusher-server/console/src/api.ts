// The server's own record type: one definition for both ends (esbuild bundles only what runs).
import type { DebugRecord } from '../../src/debug/DebugRecord.js';

export type { DebugRecord };

export interface AppRow {
  readonly id: string;
  readonly key: string;
}

export interface ChannelRow {
  readonly name: string;
  readonly subscriptionCount: number;
  readonly userCount?: number;
}

export interface PeerStatus {
  readonly nodeId: string;
  readonly rttMs: number | null;
  readonly address?: string;
  readonly framesIn?: number;
  readonly framesOut?: number;
}

export interface ClusterStatus {
  readonly timeMs: number;
  readonly node: string;
  readonly driver: string;
  readonly transport?: { readonly peers?: readonly PeerStatus[] };
}

/** The token was refused: back to the login. */
export class Unauthorized extends Error {
  override name = 'Unauthorized';
}

const BASE = '/console/api/';

/** The console's API, with the admin token on every call (never in a URL, so never in a log). */
export class ConsoleApi {
  readonly #headers: Record<string, string>;

  constructor(token: string) {
    this.#headers = { Authorization: `Bearer ${token}` };
  }

  async get<T>(path: string): Promise<T> {
    return this.#json<T>(await fetch(BASE + path, { headers: this.#headers }));
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const init = { method: 'POST', headers: { ...this.#headers, 'Content-Type': 'application/json' } };
    return this.#json<T>(await fetch(BASE + path, { ...init, body: JSON.stringify(body) }));
  }

  /** Reads the app's live log until `signal` aborts; each message carries the dropped count. */
  async stream(appId: string, signal: AbortSignal, onBatch: (records: DebugRecord[], dropped: number) => void) {
    const response = await fetch(`${BASE}apps/${encodeURIComponent(appId)}/stream`, { headers: this.#headers, signal });
    if (response.status === 401) throw new Unauthorized();
    if (!response.body) throw new Error(`stream failed: ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value;
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const message = JSON.parse(buffered.slice(0, end).replace(/^data: /, '')) as {
          records: DebugRecord[];
          dropped: number;
        };
        buffered = buffered.slice(end + 2);
        onBatch(message.records, message.dropped);
      }
    }
  }

  async #json<T>(response: Response): Promise<T> {
    if (response.status === 401) throw new Unauthorized();
    const body = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
    return body;
  }
}
