import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Adapter } from '../../adapter/Adapter.js';
import type { App } from '../../app-manager/App.js';
import type { AppManager } from '../../app-manager/AppManager.js';
import type { DebugConsoleConfig } from '../../config/ServerConfig.js';
import type { EventPublisher } from '../../http/HttpApiContext.js';
import type { Logger } from '../../util/Logger.js';
import type { DebugTap } from '../DebugTap.js';
import { appChannels, clusterStatus, createEvent, presenceMembers } from './consoleApi.js';
import { sendAsset } from './consoleAssets.js';
import { hasToken, sendError, sendJson } from './consoleHttp.js';
import { DebugStream } from './DebugStream.js';

export interface DebugConsoleOptions {
  readonly config: DebugConsoleConfig;
  readonly tap: DebugTap;
  readonly adapter: Adapter;
  readonly apps: AppManager;
  /** Apps that can be listed: those of the configuration, plus those with sockets here. */
  listAppIds(): string[] | Promise<string[]>;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  nowMs(): number;
}

const API = '/console/api/';

/**
 * The debug console on the metrics listener: the page under `/console/` (no secret in it, it asks
 * for the token) and its API under `/console/api/`, which wants the admin token on every call.
 * An app's secret never leaves the server: apps are shown by id and key only.
 */
export class DebugConsole {
  readonly #options: DebugConsoleOptions;
  readonly #streams = new Set<() => void>();

  constructor(options: DebugConsoleOptions) {
    this.#options = options;
  }

  /** Answers a request under `/console`; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (pathname !== '/console' && !pathname.startsWith('/console/')) return false;
    if (pathname === '/console') {
      res.writeHead(302, { Location: '/console/' }).end();
    } else if (!pathname.startsWith(API)) {
      const name = pathname.slice('/console/'.length) || 'index.html';
      void sendAsset(res, name);
    } else if (!hasToken(req, this.#options.config.token)) {
      sendError(res, 401, 'A valid console token is required');
    } else {
      this.#api(req, res, pathname.slice(API.length)).catch((error: unknown) => {
        this.#options.logger.error('debug console request failed', { error: String(error) });
        if (!res.headersSent) sendError(res, 500, 'The console request failed');
      });
    }
    return true;
  }

  /** Ends every open stream (the listener is closing). */
  close(): void {
    for (const end of this.#streams) end();
  }

  async #api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const parts = path.split('/').map(decodeURIComponent);
    if (parts[0] === 'cluster' && parts.length === 1) return sendJson(res, 200, clusterStatus(this.#options));
    if (parts[0] === 'apps' && parts.length === 1) return sendJson(res, 200, await this.#listApps());
    if (parts[0] !== 'apps' || parts[1] === undefined) return sendError(res, 404, 'Not found');
    const app = await this.#options.apps.findById(parts[1]);
    if (!app) return sendError(res, 404, 'No such app');
    return this.#appRoute(req, res, app, parts.slice(2).join('/'));
  }

  async #appRoute(req: IncomingMessage, res: ServerResponse, app: App, route: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    if (req.method === 'POST' && route === 'events') return createEvent(req, res, app, this.#options.publisher);
    if (req.method !== 'GET') return sendError(res, 405, 'Method not allowed');
    if (route === 'channels') return sendJson(res, 200, appChannels(this.#options.adapter, app.id));
    if (route === 'members') {
      return sendJson(res, 200, presenceMembers(this.#options.adapter, app.id, url.searchParams.get('channel') ?? ''));
    }
    if (route === 'stream') return this.#stream(req, res, app.id);
    return sendError(res, 404, 'Not found');
  }

  async #listApps(): Promise<{ id: string; key: string }[]> {
    const ids = await this.#options.listAppIds();
    const found = await Promise.all(ids.map((id) => this.#options.apps.findById(id)));
    return found.filter((app): app is App => app !== undefined).map((app) => ({ id: app.id, key: app.key }));
  }

  #stream(req: IncomingMessage, res: ServerResponse, appId: string): void {
    const { config, tap, nowMs } = this.#options;
    const stream = new DebugStream(res, config.maxRecordsPerSec, nowMs);
    const unwatch = tap.watch(appId, (batch) => stream.push(batch));
    const end = (): void => {
      if (!this.#streams.delete(end)) return;
      unwatch();
      stream.close();
      res.end();
    };
    this.#streams.add(end);
    req.on('close', end);
    res.on('close', end);
  }
}
