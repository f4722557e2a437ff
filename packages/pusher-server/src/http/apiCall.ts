import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { App } from '../app-manager/App.js';
import type { ServerLimits } from '../config/ServerConfig.js';
import { meterApiCall } from '../metrics/httpMetering.js';
import type { HttpApiContext } from './HttpApiContext.js';
import { HttpApiError, badRequest } from './HttpApiError.js';
import { BodyReader, parseContentLength } from './readBody.js';
import { parseQueryString, safeDecode, verifyRequestSignature, type QueryParam } from './requestSigning.js';
import { describeError, type Reply } from './respond.js';
import { checkApiRateLimit, TooManyRequestsError } from '../rate-limit/httpRateLimit.js';

/** A signed, authorised call to one `/apps/:appId/…` endpoint of an enabled app. */
export interface ApiCall {
  readonly app: App;
  readonly body: Buffer;
  readonly query: readonly QueryParam[];
  /** Route parameters after the app id, percent-decoded (channel name, user id). */
  readonly params: readonly string[];
}

/** Answers a call with a JSON body (sent with 200) or throws an `HttpApiError`. */
export type ApiEndpoint = (call: ApiCall, ctx: HttpApiContext) => unknown;

/** What the handler copies out of the stack-allocated uWS request before anything async. */
interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly appId: string | undefined;
  readonly rawParams: readonly string[];
}

/**
 * Bodies larger than this are not read at all: a batch of the largest events, doubled because
 * JSON escaping (`"` → `\"`) can double `data` on the wire, plus room for names and channels.
 */
export function bodyCapBytes(limits: Readonly<ServerLimits>): number {
  return limits.maxEventPayloadKb * 1024 * Math.max(1, limits.maxEventBatchSize) * 2 + 64 * 1024;
}

/**
 * Serves one API route whose pattern is `/apps/:appId` followed by `extraParams` more
 * parameters. Checks run in a fixed order: body cap (413) → app exists (404) → signature (401)
 * → app enabled (403) → rate limit (429) → the endpoint's own checks (400/413).
 */
export function serveApiCall(
  ctx: HttpApiContext,
  endpoint: ApiEndpoint,
  extraParams: number,
  reply: Reply,
  req: HttpRequest,
  res: HttpResponse,
): Promise<void> {
  const received = receiveRequest(req, extraParams);
  const lookup = startAppLookup(ctx, received.appId);
  // With a synchronous app manager the app's own cap applies from the first byte; otherwise
  // the server-wide cap bounds memory until the lookup settles.
  const knownApp = isPromiseLike(lookup) ? undefined : lookup;
  const reader = new BodyReader(
    res,
    bodyCapBytes(knownApp?.limits ?? ctx.config.limits),
    parseContentLength(req.getHeader('content-length')),
  );
  reply.onAbort(() => reader.abandon());
  return answerApiCall(ctx, endpoint, received, lookup, reader, reply);
}

type AppLookup = ReturnType<HttpApiContext['apps']['findById']> | undefined;

/** A synchronous throw becomes a rejection, so every lookup failure is answered the same way. */
function startAppLookup(ctx: HttpApiContext, appId: string | undefined): AppLookup {
  if (appId === undefined) return undefined;
  try {
    return ctx.apps.findById(appId);
  } catch (err) {
    return Promise.reject(err);
  }
}

function receiveRequest(req: HttpRequest, extraParams: number): ReceivedRequest {
  const rawParams: string[] = [];
  for (let index = 1; index <= extraParams; index++) rawParams.push(req.getParameter(index) ?? '');
  return {
    method: req.getCaseSensitiveMethod(),
    path: req.getUrl(),
    // uWS returns undefined, not '', when the URL has no query string.
    rawQuery: req.getQuery() ?? '',
    appId: safeDecode(req.getParameter(0) ?? ''),
    rawParams,
  };
}

async function answerApiCall(
  ctx: HttpApiContext,
  endpoint: ApiEndpoint,
  received: ReceivedRequest,
  lookup: AppLookup,
  reader: BodyReader,
  reply: Reply,
): Promise<void> {
  const app = await resolveApp(ctx, lookup, received, reply);
  if (app === 'failed') return;
  if (app !== undefined) reader.setLimit(bodyCapBytes(app.limits));
  const body = await reader.result;
  if (body.kind === 'aborted') return;
  if (app !== undefined && ctx.metrics)
    meterApiCall(ctx.metrics.forApp(app.id), reply, body.kind === 'complete' ? body.body.length : 0);
  if (body.kind === 'too-large') {
    // The rest of the body is never read, so the connection cannot carry another request.
    reply.error(413, `Request body is larger than ${body.limitBytes} bytes`, { closeConnection: true });
    return;
  }
  // A draining node closes each API connection after its answer, so a keep-alive client (a server
  // SDK) sends its next request on a new connection, which reaches a node that stays.
  const closeConnection = ctx.isDraining();
  if (ctx.hasLeftCluster()) {
    reply.error(503, 'This server is shutting down: send the request again', { closeConnection: true });
    return;
  }
  try {
    const call = authorise(ctx, received, app, body.body);
    reply.json(200, endpoint(call, ctx), { closeConnection });
  } catch (err) {
    if (!(err instanceof HttpApiError)) throw err;
    const headers = err instanceof TooManyRequestsError ? err.headers : [];
    reply.error(err.status, err.message, { closeConnection, headers });
  }
}

/** The app, `undefined` when unknown, or 'failed' once a lookup error was answered with 500. */
async function resolveApp(
  ctx: HttpApiContext,
  lookup: AppLookup,
  received: ReceivedRequest,
  reply: Reply,
): Promise<App | undefined | 'failed'> {
  try {
    return await lookup;
  } catch (err) {
    ctx.logger.error('App lookup failed', { appId: received.appId, error: describeError(err) });
    reply.error(500, 'Could not look up the app');
    return 'failed';
  }
}

/** The 404 → 401 → 403 → 429 gate in front of every endpoint (which answers 400/413 itself). */
function authorise(ctx: HttpApiContext, received: ReceivedRequest, app: App | undefined, body: Buffer): ApiCall {
  if (app === undefined) throw new HttpApiError(404, `Unknown app id "${received.appId ?? ''}"`);
  const query = parseQueryString(received.rawQuery);
  if (query === undefined) throw new HttpApiError(401, 'Malformed percent-encoding in the query string');
  const verdict = verifyRequestSignature(
    { method: received.method, path: received.path, params: query, body },
    app,
    ctx.nowMs(),
  );
  if (!verdict.valid) throw new HttpApiError(401, verdict.reason);
  if (!app.enabled) throw new HttpApiError(403, 'App is disabled');
  checkApiRateLimit(ctx, received.method, received.path, app, body);
  return { app, body, query, params: decodeParams(received.rawParams) };
}

function decodeParams(rawParams: readonly string[]): string[] {
  return rawParams.map((raw) => {
    const decoded = safeDecode(raw);
    if (decoded === undefined) throw badRequest('Malformed percent-encoding in the path');
    return decoded;
  });
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | undefined)?.then === 'function';
}
