import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { Logger } from '../util/Logger.js';

/** Every status the HTTP API answers with, and its status line. */
export const STATUS_LINES = {
  200: '200 OK',
  204: '204 No Content',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  413: '413 Payload Too Large',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
} as const;

export type HttpStatus = keyof typeof STATUS_LINES;

/** Methods a browser may use on the API, announced in preflight answers. */
export const CORS_ALLOW_METHODS = 'GET, POST, OPTIONS';
/** Request headers a browser may send, announced in preflight answers. */
export const CORS_ALLOW_HEADERS = 'Content-Type, X-Requested-With, Authorization, Accept, Origin, X-Pusher-Library';

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain; charset=utf-8';

export interface ReplyOptions {
  /** Close the connection after the response (a body we refused to read, a draining server). @default false */
  closeConnection?: boolean;
  /** Extra response headers (`Retry-After` on a 429). */
  headers?: ReadonlyArray<readonly [string, string]>;
}

/**
 * The answer to one HTTP request, written at most once. uWS forbids touching a response after
 * the client went away, and the handler may finish long after that (awaited app lookup, slow
 * body), so every write goes through here and is dropped once the request aborted or was answered.
 * Every write is corked: one syscall for status, headers and body even after an `await`.
 */
export class Reply {
  readonly #res: HttpResponse;
  readonly #corsOrigin: string;
  readonly #abortListeners: Array<() => void> = [];
  #onWritten: ((bodyBytes: number) => void) | undefined;
  #aborted = false;
  #answered = false;

  /** Must be constructed synchronously in the uWS handler: it registers `onAborted`. */
  constructor(res: HttpResponse, corsOrigin: string) {
    this.#res = res;
    this.#corsOrigin = corsOrigin;
    res.onAborted(() => {
      this.#aborted = true;
      for (const listener of this.#abortListeners) listener();
    });
  }

  /** False once the client went away or the response was written. */
  get isOpen(): boolean {
    return !this.#aborted && !this.#answered;
  }

  /** Runs `listener` if the client goes away before the response is written. */
  onAbort(listener: () => void): void {
    this.#abortListeners.push(listener);
  }

  /** Runs `listener` with the body's size once the response is written (for metrics). */
  onWritten(listener: (bodyBytes: number) => void): void {
    this.#onWritten = listener;
  }

  json(status: HttpStatus, body: unknown, options: ReplyOptions = {}): void {
    this.#write(status, [['Content-Type', JSON_TYPE], ...(options.headers ?? [])], JSON.stringify(body), options);
  }

  /** The API's error shape: `{"error": message}`. */
  error(status: HttpStatus, message: string, options: ReplyOptions = {}): void {
    this.json(status, { error: message }, options);
  }

  text(status: HttpStatus, text: string): void {
    this.#write(status, [['Content-Type', TEXT_TYPE]], text, {});
  }

  /** A CORS preflight answer: no body, the allowed methods and headers. */
  preflight(): void {
    const headers: Array<[string, string]> = [
      ['Access-Control-Allow-Methods', CORS_ALLOW_METHODS],
      ['Access-Control-Allow-Headers', CORS_ALLOW_HEADERS],
      ['Access-Control-Max-Age', '86400'],
    ];
    this.#write(204, headers, undefined, {});
  }

  #write(
    status: HttpStatus,
    headers: ReadonlyArray<readonly [string, string]>,
    body: string | undefined,
    options: ReplyOptions,
  ): void {
    if (!this.isOpen) return;
    this.#answered = true;
    const res = this.#res;
    res.cork(() => {
      res.writeStatus(STATUS_LINES[status]);
      res.writeHeader('Access-Control-Allow-Origin', this.#corsOrigin);
      for (const [name, value] of headers) res.writeHeader(name, value);
      // No arguments: with a length, uWS writes `Content-Length: 0`, which a 204 must not carry.
      if (body === undefined) res.endWithoutBody();
      else res.end(body, options.closeConnection ?? false);
    });
    this.#onWritten?.(body === undefined ? 0 : Buffer.byteLength(body));
  }
}

export type RouteHandler = (reply: Reply, req: HttpRequest, res: HttpResponse) => void | Promise<void>;

/**
 * Wraps a route so that no request can crash the process or hang unanswered: a thrown error or
 * a rejected promise is logged and answered with a 500 JSON body, if the response is still open.
 */
export function safeRoute(corsOrigin: string, logger: Logger, handle: RouteHandler) {
  return (res: HttpResponse, req: HttpRequest): void => {
    const reply = new Reply(res, corsOrigin);
    // HttpRequest is only valid during this call: copy what the error log may need now.
    const method = req.getCaseSensitiveMethod();
    const url = req.getUrl();
    const fail = (err: unknown): void => {
      try {
        logger.error('HTTP request failed', { method, url, error: describeError(err) });
      } catch {
        // A broken logger must not keep the client from getting its answer.
      }
      reply.error(500, 'Internal server error');
    };
    try {
      const pending = handle(reply, req, res);
      if (pending !== undefined) pending.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

export function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
