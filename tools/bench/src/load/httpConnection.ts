import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;
const CONNECT_TIMEOUT_MS = 5000;
const RESPONSE_TIMEOUT_MS = 15_000;

/**
 * One keep-alive HTTP/1.1 connection to 127.0.0.1 with at most one request in flight. Far cheaper
 * than `node:http` (no agent, no parser objects, one write per request), so the load generator
 * spends its CPU on the clients. Responses must carry `Content-Length` (uWS always sends it).
 */
export class HttpConnection {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined;
  #closed: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('connection closed by the server')));
  }

  /** `ca`: speak HTTPS and trust this PEM CA (the bench's throwaway one). */
  static open(port: number, ca?: string): Promise<HttpConnection> {
    return new Promise((resolve, reject) => {
      const socket =
        ca === undefined ? connect({ host: '127.0.0.1', port }) : connectTls({ host: '127.0.0.1', port, ca });
      const ready = ca === undefined ? 'connect' : 'secureConnect';
      const timer = setTimeout(
        () => socket.destroy(new Error(`connect to 127.0.0.1:${port} timed out`)),
        CONNECT_TIMEOUT_MS,
      );
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new HttpConnection(socket));
      });
    });
  }

  /** Sends a POST and resolves with the response status once its body has arrived. */
  post(path: string, body: string): Promise<number> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (this.#pending) return Promise.reject(new Error('a request is already in flight on this connection'));
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      // A server that stops answering fails the connection instead of hanging the scenario.
      const timer = setTimeout(
        () => this.#fail(new Error(`no response within ${RESPONSE_TIMEOUT_MS} ms`)),
        RESPONSE_TIMEOUT_MS,
      );
      this.#pending = {
        resolve: (status) => (clearTimeout(timer), resolve(status)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      this.#socket.write(head + body);
    });
  }

  close(): void {
    this.#closed ??= new Error('connection closed');
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const headerEnd = this.#buffer.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.#buffer.toString('latin1', 0, headerEnd);
    const length = CONTENT_LENGTH.exec(head)?.[1];
    if (length === undefined) return this.#fail(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
    const end = headerEnd + HEADER_END.length + Number(length);
    if (this.#buffer.length < end) return;
    this.#buffer = this.#buffer.subarray(end);
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.resolve(Number(head.slice(9, 12)));
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
    this.#socket.destroy();
  }
}
