import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../util/Logger.js';

/** What the metrics listener serves. */
export interface MetricsRenderer {
  text(): string;
  json(): unknown;
}

/** Another service on the metrics listener (the debug console): true when it answered. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean;

const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * `GET /metrics` (Prometheus text; `?json=1` for soketi's JSON form) on its own listener. It is a
 * plain node:http server, which never shares its port (no SO_REUSEPORT): a scrape must reach the
 * process it names, even when several cluster nodes share the public port.
 */
export class MetricsServer {
  readonly #server: Server;
  readonly port: number;

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  /** Binds `host:port` (0 = any free port); rejects with a clear message when it is taken. */
  static listen(
    host: string,
    port: number,
    renderer: MetricsRenderer | undefined,
    logger: Logger,
    extra?: ExtraRoute,
  ): Promise<MetricsServer> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://metrics');
      if (!extra?.(req, res, url.pathname)) serve(req, res, url, renderer, logger);
    });
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.message;
        reject(new Error(`Cannot listen for metrics on ${host}:${port}: ${why}`, { cause: error }));
      });
      server.listen({ host, port, exclusive: true }, () => {
        server.on('error', (error) => logger.error('metrics listener failed', { error: String(error) }));
        resolve(new MetricsServer(server, (server.address() as AddressInfo).port));
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

function serve(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  renderer: MetricsRenderer | undefined,
  logger: Logger,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'text/plain', 'Method not allowed');
  if (url.pathname === '/') return answer(res, 200, 'text/plain', 'OK');
  // With metrics off, the listener runs for the console only.
  if (url.pathname !== '/metrics' || !renderer) return answer(res, 404, 'text/plain', 'Not found');
  try {
    if (url.searchParams.get('json') === '1') answer(res, 200, 'application/json', JSON.stringify(renderer.json()));
    else answer(res, 200, TEXT_FORMAT, renderer.text());
  } catch (error) {
    logger.error('metrics scrape failed', { error: String(error) });
    answer(res, 500, 'text/plain', 'Metrics failed');
  }
}

function answer(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
