import { createHash, createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ExecutionContext } from 'ava';
import uWS, { type us_listen_socket, type us_socket } from 'uWebSockets.js';
import type { Adapter, AdapterStatus, CachedEvent } from '../src/adapter/Adapter.js';
import { resolveApp, type App, type AppConfig } from '../src/app-manager/App.js';
import type { AppManager } from '../src/app-manager/AppManager.js';
import { defaultServerConfig, type ServerConfig } from '../src/config/ServerConfig.js';
import type { EventPublisher, HttpApiContext } from '../src/http/HttpApiContext.js';
import { registerHttpApi } from '../src/http/registerHttpApi.js';
import type { LogFields, Logger } from '../src/util/Logger.js';

// ---------------------------------------------------------------- signing (independent of src)

export interface SignOptions {
  method: 'GET' | 'POST';
  path: string;
  key: string;
  secret: string;
  timestampSec: number;
  body?: string;
  params?: Record<string, string>;
}

/**
 * A signed query string built the way pusher-http-node builds it (values unescaped), written
 * from the spec rather than from the server's code so each checks the other.
 */
export function signedQuery(options: SignOptions): string {
  const params: Record<string, string> = {
    auth_key: options.key,
    auth_timestamp: String(options.timestampSec),
    auth_version: '1.0',
    ...options.params,
  };
  if (options.body) params['body_md5'] = createHash('md5').update(options.body, 'utf8').digest('hex');
  const query = Object.keys(params)
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
  const signature = createHmac('sha256', options.secret)
    .update(`${options.method}\n${options.path}\n${query}`)
    .digest('hex');
  return `${query}&auth_signature=${signature}`;
}

/** The real `pusher` server SDK (a devDependency), typed by what these tests call. */
export interface PusherSdk {
  createSignedQueryString(request: { method: string; path: string; params?: object; body?: string }): string;
  trigger(
    channel: string | string[],
    event: string,
    data: unknown,
    params?: object,
  ): Promise<{ json(): Promise<unknown> }>;
  triggerBatch(batch: object[]): Promise<{ json(): Promise<unknown> }>;
  get(options: { path: string; params?: object }): Promise<{ json(): Promise<unknown> }>;
  terminateUserConnections(userId: string): Promise<{ json(): Promise<unknown> }>;
}
export type PusherSdkConstructor = new (options: object) => PusherSdk;

export function loadPusherSdk(): PusherSdkConstructor {
  return createRequire(import.meta.url)('pusher') as PusherSdkConstructor;
}

// ---------------------------------------------------------------- fake context

export const APP: AppConfig = { id: 'app-1', key: 'key-1', secret: 'secret-1' };
export const DISABLED_APP: AppConfig = { id: 'app-off', key: 'key-off', secret: 'secret-off', enabled: false };
/** Tiny limits, to hit the hard body cap with a small request. */
export const TINY_APP: AppConfig = {
  id: 'app-tiny',
  key: 'key-tiny',
  secret: 'secret-tiny',
  maxEventPayloadInKb: 1,
  maxEventBatchSize: 1,
};
/** `findById` throws for this id. */
export const FAILING_APP_ID = 'app-lookup-fails';

/** The adapter reads the HTTP API makes. */
type AdapterReads = Pick<Adapter, 'channels' | 'subscriptionCount' | 'presenceMembers' | 'cachedEvent'>;

/**
 * An in-memory stand-in for the adapter's reads. `asAdapter()` wraps it so that any other
 * method (the HTTP API should never write to the adapter) throws, and so the fake does not
 * need to follow every change of the Adapter interface.
 */
export class FakeAdapter implements AdapterReads {
  /** app id → channel → subscriber count */
  readonly counts = new Map<string, Map<string, number>>();
  /** app id → channel → user id → info */
  readonly members = new Map<string, Map<string, Map<string, unknown>>>();
  /** `appId/channel` → cached event */
  readonly cache = new Map<string, CachedEvent>();
  /** Makes every read throw, to test that a server fault becomes a 500. */
  failReads = false;

  setCount(appId: string, channel: string, count: number): void {
    const channels = this.counts.get(appId) ?? new Map<string, number>();
    channels.set(channel, count);
    this.counts.set(appId, channels);
  }
  setMembers(appId: string, channel: string, userIds: string[]): void {
    const channels = this.members.get(appId) ?? new Map<string, Map<string, unknown>>();
    channels.set(channel, new Map(userIds.map((id) => [id, { name: id }])));
    this.members.set(appId, channels);
  }
  channels(appId: string): ReadonlyMap<string, number> {
    this.#check();
    return this.counts.get(appId) ?? new Map();
  }
  subscriptionCount(appId: string, channel: string): number {
    this.#check();
    return this.counts.get(appId)?.get(channel) ?? 0;
  }
  presenceMembers(appId: string, channel: string): ReadonlyMap<string, unknown> {
    this.#check();
    return this.members.get(appId)?.get(channel) ?? new Map();
  }
  cachedEvent(appId: string, channel: string): CachedEvent | undefined {
    this.#check();
    return this.cache.get(`${appId}/${channel}`);
  }
  /** What `/cluster` shows of it. */
  status(): AdapterStatus {
    return { driver: 'fake' };
  }
  /** A fake node is never cut off from its cluster. */
  unavailableReason(): string | undefined {
    return undefined;
  }
  asAdapter(): Adapter {
    return new Proxy(this, {
      get(target, property) {
        if (property === 'driver') return 'fake';
        if (property in target) {
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return () => {
          throw new Error(`The HTTP API should not call adapter.${String(property)}()`);
        };
      },
    }) as unknown as Adapter;
  }
  #check(): void {
    if (this.failReads) throw new Error('adapter read failed (test)');
  }
}

export interface PublishedEvent {
  appId: string;
  channel: string;
  event: string;
  data: string;
  exceptSocketId: string | undefined;
}

export class RecordingPublisher implements EventPublisher {
  readonly events: PublishedEvent[] = [];
  readonly terminated: Array<{ appId: string; userId: string }> = [];
  publishEvent(app: App, channel: string, event: string, data: string, exceptSocketId?: string): void {
    this.events.push({ appId: app.id, channel, event, data, exceptSocketId });
  }
  terminateUserConnections(app: App, userId: string): void {
    this.terminated.push({ appId: app.id, userId });
  }
}

export class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; message: string; fields: LogFields | undefined }> = [];
  debug = (message: string, fields?: LogFields) => this.lines.push({ level: 'debug', message, fields });
  info = (message: string, fields?: LogFields) => this.lines.push({ level: 'info', message, fields });
  warn = (message: string, fields?: LogFields) => this.lines.push({ level: 'warn', message, fields });
  error = (message: string, fields?: LogFields) => this.lines.push({ level: 'error', message, fields });
}

/** Apps by id; `async` makes `findById` return promises, as a database-backed manager would. */
export function fakeAppManager(config: ServerConfig, async: boolean): AppManager {
  const apps = new Map([APP, DISABLED_APP, TINY_APP].map((c) => [c.id, resolveApp(c, config.limits)]));
  const find = (id: string): App | undefined => {
    if (id === FAILING_APP_ID) throw new Error('database is down');
    return apps.get(id);
  };
  return {
    findByKey: () => undefined,
    findById: (id) => (async ? Promise.resolve().then(() => find(id)) : find(id)),
  };
}

// ---------------------------------------------------------------- server

export interface TestApi {
  readonly baseUrl: string;
  readonly port: number;
  readonly adapter: FakeAdapter;
  readonly publisher: RecordingPublisher;
  readonly logger: RecordingLogger;
  readonly config: ServerConfig;
  /** Seconds on the injected clock (the real clock unless `nowMs` is given). */
  nowSec(): number;
  setDraining(draining: boolean): void;
  /** The node's adapter is closing: no event it accepted would reach anyone. */
  setLeftCluster(left: boolean): void;
}

export interface TestApiOptions {
  config?: Partial<ServerConfig>;
  asyncApps?: boolean;
  nowMs?: () => number;
}

/** A uWS app with only the HTTP API on 127.0.0.1 and a free port, closed when the test ends. */
export async function startTestApi(t: ExecutionContext, options: TestApiOptions = {}): Promise<TestApi> {
  const config: ServerConfig = { ...defaultServerConfig(), ...options.config };
  const adapter = new FakeAdapter();
  const publisher = new RecordingPublisher();
  const logger = new RecordingLogger();
  const nowMs = options.nowMs ?? Date.now;
  let draining = false;
  let leftCluster = false;
  const ctx: HttpApiContext = {
    config,
    apps: fakeAppManager(config, options.asyncApps ?? false),
    adapter: adapter.asAdapter(),
    publisher,
    logger,
    isDraining: () => draining,
    hasLeftCluster: () => leftCluster,
    nowMs,
  };
  const app = uWS.App();
  registerHttpApi(app, ctx);
  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen('127.0.0.1', 0, (socket) => (socket ? resolve(socket) : reject(new Error('listen failed'))));
  });
  t.teardown(() => uWS.us_listen_socket_close(listenSocket));
  const port = uWS.us_socket_local_port(listenSocket as unknown as us_socket);
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    adapter,
    publisher,
    logger,
    config,
    nowSec: () => Math.floor(nowMs() / 1000),
    setDraining: (value) => {
      draining = value;
    },
    setLeftCluster: (value) => {
      leftCluster = value;
    },
  };
}

// ---------------------------------------------------------------- requests

export interface ApiRequestOptions {
  /** JSON-encoded when not a string. */
  body?: unknown;
  params?: Record<string, string>;
  /** Whose credentials sign the request. @default APP */
  app?: AppConfig;
  /** The app id in the path. @default app.id */
  appId?: string;
  timestampSec?: number;
  /** Changes the query string after signing. */
  tamper?: (query: string) => string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A request signed like the SDK signs it, to `<pathPrefix>/apps/<id><path>`. */
export async function callApi(
  api: TestApi,
  method: 'GET' | 'POST',
  path: string,
  options: ApiRequestOptions = {},
): Promise<ApiResponse> {
  const app = options.app ?? APP;
  const fullPath = `${api.config.pathPrefix}/apps/${options.appId ?? app.id}${path}`;
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const query = signedQuery({
    method,
    path: fullPath,
    key: app.key,
    secret: app.secret,
    timestampSec: options.timestampSec ?? api.nowSec(),
    ...(body === undefined ? {} : { body }),
    ...(options.params === undefined ? {} : { params: options.params }),
  });
  const url = `${api.baseUrl}${fullPath}?${options.tamper ? options.tamper(query) : query}`;
  const init: RequestInit = { method, headers: body === undefined ? {} : { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = body;
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: parseJsonOrText(text) };
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
