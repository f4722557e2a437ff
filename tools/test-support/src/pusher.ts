import { createRequire } from 'node:module';
import Pusher from 'pusher';
import type * as PusherJs from 'pusher-js';
import type { TeardownHost } from './certs.js';

/** A pusher-js client (its Node build, which includes encrypted channels). */
export type PusherClient = PusherJs.default;

type PusherClientClass = new (key: string, options: PusherJs.Options) => PusherClient;

// pusher-js is CommonJS whose typings declare an ES default export; require gives the class.
const PusherClientClass = createRequire(import.meta.url)('pusher-js') as PusherClientClass;

/** The default app of a server configured with no apps (the binary and `createServer` alike). */
export const DEFAULT_APP = Object.freeze({ appId: 'app-id', key: 'app-key', secret: 'app-secret' });

/** Where a server under test listens: always 127.0.0.1, on the port it bound. */
export interface ServerAddress {
  readonly port: number;
}

/**
 * A pusher-js client connected to the server over plain WebSocket (no stats, no fallbacks),
 * disconnected at teardown. `options` are pusher-js options (plus `key`), passed through.
 */
export function pusherClient(
  t: TeardownHost,
  server: ServerAddress,
  options: Record<string, unknown> & { key?: string } = {},
): PusherClient {
  const { key = DEFAULT_APP.key, ...rest } = options;
  const client = new PusherClientClass(key, {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    ...rest,
  } as PusherJs.Options);
  t.teardown(() => client.disconnect());
  return client;
}

/** A `pusher` server SDK pointed at the server's HTTP API; `options` override the default app. */
export function pusherSdk(server: ServerAddress, options: Partial<Pusher.BaseOptions> = {}): Pusher {
  return new Pusher({
    ...DEFAULT_APP,
    host: '127.0.0.1',
    port: String(server.port),
    useTLS: false,
    ...options,
  });
}

export interface UserSpec {
  id: string;
  info?: Record<string, unknown>;
  watchlist?: string[];
}

/**
 * A pusher-js client whose channel and user authorization come from the `pusher` SDK in-process
 * (the documented `customHandler` route), so no auth HTTP server is needed.
 */
export function authorizedClient(
  t: TeardownHost,
  server: ServerAddress,
  user: UserSpec = { id: 'u1' },
  extra: Record<string, unknown> = {},
): any {
  const sdk = pusherSdk(server);
  return pusherClient(t, server, {
    channelAuthorization: {
      customHandler: (
        { socketId, channelName }: { socketId: string; channelName: string },
        callback: (e: unknown, a: unknown) => void,
      ) =>
        callback(
          null,
          channelName.startsWith('presence-')
            ? sdk.authorizeChannel(socketId, channelName, { user_id: user.id, user_info: user.info ?? {} })
            : sdk.authorizeChannel(socketId, channelName),
        ),
    },
    userAuthentication: {
      customHandler: ({ socketId }: { socketId: string }, callback: (e: unknown, a: unknown) => void) =>
        callback(
          null,
          sdk.authenticateUser(socketId, {
            id: user.id,
            user_info: user.info ?? {},
            ...(user.watchlist ? { watchlist: user.watchlist } : {}),
          }),
        ),
    },
    ...extra,
  });
}

interface Bindable {
  bind(event: string, callback: (data: any) => void): unknown;
  unbind(event: string, callback: (data: any) => void): unknown;
}

/** The next `event` on a pusher-js channel, connection or user, or a rejection at the deadline. */
export function nextEvent<T = any>(target: Bindable, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const handler = (data: T) => {
      clearTimeout(timer);
      target.unbind(event, handler);
      resolve(data);
    };
    const timer = setTimeout(() => {
      target.unbind(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    target.bind(event, handler);
  });
}

/** Subscribes and waits for `pusher:subscription_succeeded`; returns the channel and its payload. */
export async function subscribed(client: any, channelName: string): Promise<{ channel: any; data: any }> {
  const channel = client.subscribe(channelName);
  const data = await nextEvent(channel, 'pusher:subscription_succeeded');
  return { channel, data };
}
