import type { TemplatedApp } from 'uWebSockets.js';
import { serveApiCall, type ApiEndpoint } from './apiCall.js';
import { describeChannel, listChannels, listChannelUsers } from './channelsEndpoint.js';
import { triggerBatch, triggerEvents } from './eventsEndpoint.js';
import { answerAcceptTraffic, answerAlive, answerCluster, answerReady, answerUsage } from './health.js';
import type { HttpApiContext } from './HttpApiContext.js';
import { safeRoute, type RouteHandler } from './respond.js';
import { terminateUserConnections } from './usersEndpoint.js';

interface ApiRoute {
  readonly method: 'get' | 'post';
  /** Pattern after `/apps/:appId`. */
  readonly pattern: string;
  /** Route parameters after the app id. */
  readonly extraParams: number;
  readonly endpoint: ApiEndpoint;
}

/** The Pusher HTTP API (PROTOCOL.md §3.6). */
const API_ROUTES: readonly ApiRoute[] = [
  { method: 'post', pattern: '/events', extraParams: 0, endpoint: triggerEvents },
  { method: 'post', pattern: '/batch_events', extraParams: 0, endpoint: triggerBatch },
  { method: 'get', pattern: '/channels', extraParams: 0, endpoint: listChannels },
  { method: 'get', pattern: '/channels/:channel', extraParams: 1, endpoint: describeChannel },
  { method: 'get', pattern: '/channels/:channel/users', extraParams: 1, endpoint: listChannelUsers },
  {
    method: 'post',
    pattern: '/users/:userId/terminate_connections',
    extraParams: 1,
    endpoint: terminateUserConnections,
  },
];

/**
 * Registers the Pusher HTTP API, the health endpoints (`/`, `/ready`, `/accept-traffic`,
 * `/usage`, `/cluster`), CORS preflight answers and a JSON 404, all under `ctx.config.pathPrefix`.
 *
 * The 404 and the preflight are catch-alls (`any('/*')`, `options('/*')`); uWS prefers every
 * more specific pattern, such as the WebSocket route, whatever the registration order.
 */
export function registerHttpApi(app: TemplatedApp, ctx: HttpApiContext): void {
  const prefix = normalizePathPrefix(ctx.config.pathPrefix);
  const route = (handle: RouteHandler) => safeRoute(ctx.config.corsAllowOrigin, ctx.logger, handle);

  for (const { method, pattern, extraParams, endpoint } of API_ROUTES) {
    app[method](
      `${prefix}/apps/:appId${pattern}`,
      route((reply, req, res) => serveApiCall(ctx, endpoint, extraParams, reply, req, res)),
    );
  }

  for (const root of prefix === '' ? ['/'] : [prefix, `${prefix}/`]) {
    app.get(
      root,
      route((reply) => answerAlive(reply)),
    );
  }
  app.get(
    `${prefix}/ready`,
    route((reply) => answerReady(reply, ctx)),
  );
  app.get(
    `${prefix}/accept-traffic`,
    route((reply) => answerAcceptTraffic(reply, ctx)),
  );
  app.get(
    `${prefix}/usage`,
    route((reply) => answerUsage(reply)),
  );
  app.get(
    `${prefix}/cluster`,
    route((reply) => answerCluster(reply, ctx)),
  );

  app.options(
    '/*',
    route((reply) => reply.preflight()),
  );
  app.any(
    '/*',
    route((reply) => reply.error(404, 'Not found')),
  );
}

/** `''`, or `/name` with one leading slash and no trailing one, so patterns join cleanly. */
export function normalizePathPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
}
