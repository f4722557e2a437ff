import type { HttpResponse } from 'uWebSockets.js';

export type BodyResult =
  | { readonly kind: 'complete'; readonly body: Buffer }
  /** More bytes than the limit were sent or announced; the rest is not read. */
  | { readonly kind: 'too-large'; readonly limitBytes: number }
  /** The client went away before the body was complete. */
  | { readonly kind: 'aborted' };

/**
 * Collects a request body up to a byte limit. Construct it synchronously in the uWS handler:
 * uWS delivers the first bytes right after the handler returns and drops them if no `onData`
 * handler is registered by then.
 *
 * The limit can be changed while reading (it is known only once the app is found, which may
 * be asynchronous); the first limit keeps memory bounded meanwhile.
 */
export class BodyReader {
  readonly result: Promise<BodyResult>;
  readonly #chunks: Buffer[] = [];
  readonly #declaredBytes: number | undefined;
  #receivedBytes = 0;
  #limitBytes: number;
  #settled = false;
  #settle: (result: BodyResult) => void = () => undefined;

  /** `declaredBytes`: the request's Content-Length, if it sent one. */
  constructor(res: HttpResponse, limitBytes: number, declaredBytes: number | undefined) {
    this.#limitBytes = limitBytes;
    this.#declaredBytes = declaredBytes;
    this.result = new Promise((resolve) => {
      this.#settle = resolve;
    });
    res.onData((chunk, isLast) => this.#onChunk(chunk, isLast));
    this.#enforceLimit();
  }

  /** Replaces the byte limit; refuses at once if what was received or announced is over it. */
  setLimit(limitBytes: number): void {
    this.#limitBytes = limitBytes;
    this.#enforceLimit();
  }

  /** The client went away: nothing more will arrive. */
  abandon(): void {
    this.#finish({ kind: 'aborted' });
  }

  #onChunk(chunk: ArrayBuffer, isLast: boolean): void {
    if (this.#settled) return;
    this.#receivedBytes += chunk.byteLength;
    if (this.#enforceLimit()) return;
    // uWS neuters the ArrayBuffer when this callback returns, so keep a copy, not a view:
    // Buffer.from(arrayBuffer) would share the memory, Buffer.from(Uint8Array) copies it.
    if (chunk.byteLength > 0) this.#chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (isLast) this.#finish({ kind: 'complete', body: Buffer.concat(this.#chunks, this.#receivedBytes) });
  }

  /** True when the body is (now) refused as too large. */
  #enforceLimit(): boolean {
    if (this.#settled) return false;
    const announcedOrReceived = Math.max(this.#receivedBytes, this.#declaredBytes ?? 0);
    if (announcedOrReceived <= this.#limitBytes) return false;
    this.#finish({ kind: 'too-large', limitBytes: this.#limitBytes });
    return true;
  }

  #finish(result: BodyResult): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks.length = 0;
    this.#settle(result);
  }
}

/** The Content-Length header as a number, or `undefined` when absent or not a plain integer. */
export function parseContentLength(header: string): number | undefined {
  return /^\d{1,15}$/.test(header) ? Number(header) : undefined;
}
