import type { HttpRequest, HttpResponse, TemplatedApp, us_socket_context_t, WebSocket } from 'uWebSockets.js';
import type { Adapter } from '../adapter/Adapter.js';
import type { App } from '../app-manager/App.js';
import type { AppManager } from '../app-manager/AppManager.js';
import type { ServerConfig } from '../config/ServerConfig.js';
import type { AppCounters } from '../metrics/AppCounters.js';
import type { ServerMetrics } from '../metrics/ServerMetrics.js';
import * as CloseCodes from '../protocol/CloseCodes.js';
import type { Connection } from '../protocol/Connection.js';
import { errorFrame } from '../protocol/frames.js';
import type { PusherProtocol } from '../protocol/PusherProtocol.js';
import type { Logger } from '../util/Logger.js';
import type { AppGenerations } from './AppGenerations.js';
import { UwsSocket, type BackpressureStats } from './UwsSocket.js';

/** What the upgrade learned, carried to `open`. */
interface SocketData {
  app?: App;
  /** Set when the connection must be refused once open (Pusher reports refusals as close codes). */
  refusal?: CloseCodes.CloseCode;
  connection?: Connection;
  /** The app's counters, when metrics are on. */
  counters?: AppCounters;
}

export interface WebSocketDeps {
  readonly config: ServerConfig;
  readonly apps: AppManager;
  readonly adapter: Adapter;
  readonly protocol: PusherProtocol;
  readonly logger: Logger;
  readonly stats: BackpressureStats;
  readonly metrics?: ServerMetrics;
  /** Every uWS app of the server (more than one after a TLS reload): fan-out reaches them all. */
  readonly generations?: AppGenerations;
  isDraining(): boolean;
}

/**
 * Frames above this are cut by uWS itself (the connection drops, the client sees 1006); smaller
 * oversized ones get a `pusher:error` and the socket stays open. Bounded so a client cannot make
 * the server buffer arbitrarily large frames.
 */
export function hardFrameLimitBytes(config: ServerConfig): number {
  const largestAppLimitKb = Math.max(
    config.limits.maxEventPayloadKb,
    ...config.apps.map((a) => a.maxEventPayloadInKb ?? 0),
  );
  return Math.max(1024 * 1024, largestAppLimitKb * 1024 * 2 + 64 * 1024);
}

/** Room for the event name, channel and JSON framing around an event's `data`. */
const FRAME_OVERHEAD_BYTES = 8 * 1024;

/** Mounts the Pusher WebSocket endpoint `/app/{key}` (and refuses every other upgrade path with 4005). */
export function registerWebSocket(app: TemplatedApp, deps: WebSocketDeps): void {
  const behavior = {
    compression: 0,
    maxPayloadLength: hardFrameLimitBytes(deps.config),
    maxBackpressure: deps.config.maxBackpressureBytes,
    closeOnBackpressureLimit: 1,
    // Liveness is the protocol's activity timeout (pusher:ping / 4201), not uWS's idle timer.
    idleTimeout: 0,
    sendPingsAutomatically: false,
    open: (ws: WebSocket<SocketData>) => onOpen(ws, deps, app),
    message: (ws: WebSocket<SocketData>, message: ArrayBuffer, isBinary: boolean) =>
      onMessage(ws, message, isBinary, deps),
    pong: (ws: WebSocket<SocketData>) => {
      const connection = ws.getUserData().connection;
      if (connection) deps.protocol.touch(connection);
    },
    close: (ws: WebSocket<SocketData>, code: number) => {
      const { connection, counters } = ws.getUserData();
      if (!connection) return;
      if (deps.config.debug) deps.logger.debug('socket closed', { socketId: connection.id, code });
      deps.protocol.closed(connection);
      if (counters) {
        counters.connected--;
        counters.disconnections++;
      }
    },
  };
  const prefix = deps.config.pathPrefix;
  app.ws<SocketData>(`${prefix}/app/:key`, {
    ...behavior,
    upgrade: (res, req, context) => upgrade(res, req, context, deps),
  });
  app.ws<SocketData>('/*', {
    ...behavior,
    upgrade: (res, req, context) => upgradeWith(res, req, context, { refusal: CloseCodes.PathNotFound }),
  });
}

function upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t, deps: WebSocketDeps): void {
  // HttpRequest is stack-allocated: read everything before any asynchronous step.
  const key = req.getParameter(0) ?? '';
  // uWS returns undefined (not '') for an absent parameter, whatever its typings say.
  const protocolVersion: string = req.getQuery('protocol') ?? '';
  const headers = upgradeHeaders(req);
  const found = deps.apps.findByKey(key);
  if (!(found instanceof Promise)) {
    finishUpgrade(res, headers, context, socketData(found, protocolVersion));
    return;
  }
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  found.then(
    (app) => {
      if (!aborted) res.cork(() => finishUpgrade(res, headers, context, socketData(app, protocolVersion)));
    },
    (error: unknown) => {
      deps.logger.error('app lookup failed during WebSocket upgrade', { error: String(error) });
      if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end('App lookup failed'));
    },
  );
}

function upgradeWith(res: HttpResponse, req: HttpRequest, context: us_socket_context_t, data: SocketData): void {
  finishUpgrade(res, upgradeHeaders(req), context, data);
}

interface UpgradeHeaders {
  readonly key: string;
  readonly protocol: string;
  readonly extensions: string;
}

function upgradeHeaders(req: HttpRequest): UpgradeHeaders {
  return {
    key: req.getHeader('sec-websocket-key'),
    protocol: req.getHeader('sec-websocket-protocol'),
    extensions: req.getHeader('sec-websocket-extensions'),
  };
}

function finishUpgrade(
  res: HttpResponse,
  headers: UpgradeHeaders,
  context: us_socket_context_t,
  data: SocketData,
): void {
  res.upgrade<SocketData>(data, headers.key, headers.protocol, headers.extensions, context);
}

/** Protocol 7 is current; 5 and 6 differ only in ways the server does not depend on. */
function socketData(app: App | undefined, protocolVersion: string): SocketData {
  if (!app) return { refusal: CloseCodes.AppNotFound };
  if (protocolVersion !== '' && !/^[5-7]$/.test(protocolVersion))
    return { app, refusal: CloseCodes.UnsupportedProtocol };
  return { app };
}

function onOpen(ws: WebSocket<SocketData>, deps: WebSocketDeps, uwsApp: TemplatedApp): void {
  const data = ws.getUserData();
  const refusal = data.refusal ?? admissionRefusal(data.app, deps);
  if (refusal || !data.app) {
    const code = refusal ?? CloseCodes.AppNotFound;
    ws.send(errorFrame(code.reason, code.code), false);
    ws.end(code.code, code.reason);
    return;
  }
  const topics = deps.generations ?? uwsApp;
  const meter = deps.metrics && {
    counters: deps.metrics.forApp(data.app.id),
    subscribers: (topic: string) => topics.numSubscribers(topic),
  };
  if (meter) {
    data.counters = meter.counters;
    meter.counters.connected++;
    meter.counters.newConnections++;
  }
  const generations = deps.generations;
  const otherApps = generations && ((): readonly TemplatedApp[] => generations.othersThan(uwsApp));
  data.connection = deps.protocol.open(new UwsSocket(ws, deps.stats, meter, otherApps), data.app);
  if (deps.config.debug) deps.logger.debug('socket opened', { socketId: data.connection.id, appId: data.app.id });
}

function admissionRefusal(app: App | undefined, deps: WebSocketDeps): CloseCodes.CloseCode | undefined {
  if (!app) return CloseCodes.AppNotFound;
  if (deps.isDraining()) return CloseCodes.ReconnectImmediately;
  if (!app.enabled) return CloseCodes.AppDisabled;
  if (app.maxConnections >= 0 && deps.adapter.connectionCount(app.id) >= app.maxConnections) {
    return CloseCodes.OverConnectionQuota;
  }
  return undefined;
}

function onMessage(ws: WebSocket<SocketData>, message: ArrayBuffer, isBinary: boolean, deps: WebSocketDeps): void {
  const { connection, counters } = ws.getUserData();
  if (!connection) return;
  if (counters) {
    counters.wsMessagesReceived++;
    counters.wsBytesReceived += message.byteLength;
  }
  if (isBinary) {
    deps.protocol.touch(connection);
    connection.send(errorFrame('Binary frames are not supported; send JSON text frames'));
    return;
  }
  const limitBytes = connection.app.limits.maxEventPayloadKb * 1024 + FRAME_OVERHEAD_BYTES;
  if (message.byteLength > limitBytes) {
    deps.protocol.touch(connection);
    connection.send(errorFrame(`Message is larger than ${connection.app.limits.maxEventPayloadKb} KB`));
    return;
  }
  // The ArrayBuffer is only valid during this callback; decoding copies it.
  deps.protocol.message(connection, Buffer.from(message).toString('utf8'));
}
