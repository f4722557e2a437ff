import type { TemplatedApp } from 'uWebSockets.js';
import { serveApiCall, type ApiEndpoint } from './apiCall.js';
import { describeChannel, listChannels, listChannelUsers } from './channelsEndpoint.js';
import { triggerBatch, triggerEvents } from './eventsEndpoint.js';
import { answerAcceptTraffic, answerAlive, answerCluster, answerReady, answerUsage } from './health.js';
import type { HttpApiContext } from './HttpApiContext.js';
import { safeRoute, type Reply, type RouteHandler } from './respond.js';
import { RouteMethods } from './RouteMethods.js';
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
 * `/usage`, `/cluster`), CORS preflight answers, a JSON 405 (with `Allow`) for a wrong method on
 * one of those paths and a JSON 404 for any other path, all under `ctx.config.pathPrefix`.
 *
 * The 404/405 and the preflight are catch-alls (`any('/*')`, `options('/*')`); uWS prefers every
 * more specific pattern, such as the WebSocket route, whatever the registration order.
 */
export function registerHttpApi(app: TemplatedApp, ctx: HttpApiContext): void {
  const prefix = normalizePathPrefix(ctx.config.pathPrefix);
  const routeMethods = new RouteMethods();
  const register = (method: 'get' | 'post', pattern: string, handle: RouteHandler): void => {
    app[method](pattern, safeRoute(ctx.config.corsAllowOrigin, ctx.logger, handle));
    routeMethods.add(method, pattern);
  };

  for (const { method, pattern, extraParams, endpoint } of API_ROUTES) {
    register(method, `${prefix}/apps/:appId${pattern}`, (reply, req, res) =>
      serveApiCall(ctx, endpoint, extraParams, reply, req, res),
    );
  }
  for (const root of prefix === '' ? ['/'] : [prefix, `${prefix}/`]) register('get', root, answerAlive);
  register('get', `${prefix}/ready`, (reply) => answerReady(reply, ctx));
  register('get', `${prefix}/accept-traffic`, (reply) => answerAcceptTraffic(reply, ctx));
  register('get', `${prefix}/usage`, answerUsage);
  register('get', `${prefix}/cluster`, (reply) => answerCluster(reply, ctx));

  const route = (handle: RouteHandler) => safeRoute(ctx.config.corsAllowOrigin, ctx.logger, handle);
  app.options(
    '/*',
    route((reply) => reply.preflight()),
  );
  app.any(
    '/*',
    route((reply, req) => answerUnrouted(reply, routeMethods.allowed(req.getUrl()))),
  );
}

/** A known path asked with a method it does not take → 405 naming those it takes; else 404. */
function answerUnrouted(reply: Reply, allowed: readonly string[]): void {
  if (allowed.length === 0) return reply.error(404, 'Not found');
  const list = allowed.join(', ');
  reply.error(405, `Method not allowed (allowed: ${list})`, { headers: [['Allow', list]] });
}

/** `''`, or `/name` with one leading slash and no trailing one, so patterns join cleanly. */
export function normalizePathPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
}
