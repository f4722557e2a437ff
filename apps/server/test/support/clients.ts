import { createRequire } from 'node:module';
import Pusher from 'pusher';
import type * as PusherJs from 'pusher-js';
import type { RunningServer, TeardownHost } from './server.js';

/** A pusher-js client (its Node build, which includes encrypted channels). */
export type PusherClient = PusherJs.default;

type PusherClientClass = new (key: string, options: PusherJs.Options) => PusherClient;

// pusher-js is CommonJS whose typings declare an ES default export; require gives the class.
const PusherClientClass = createRequire(import.meta.url)('pusher-js') as PusherClientClass;

/** The default app of a server started with no DEFAULT_APP_* settings. */
export const DEFAULT_APP = Object.freeze({ appId: 'app-id', key: 'app-key', secret: 'app-secret' });

/**
 * A pusher-js client connected to the server over plain WebSocket (no stats, no fallbacks),
 * disconnected at teardown. `options` are pusher-js options (plus `key`), passed through.
 */
export function pusherClient(
  t: TeardownHost,
  server: Pick<RunningServer, 'wsHost' | 'port'>,
  options: Record<string, unknown> & { key?: string } = {},
): PusherClient {
  const { key = DEFAULT_APP.key, ...rest } = options;
  const client = new PusherClientClass(key, {
    cluster: 'mt1',
    wsHost: server.wsHost,
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
export function pusherSdk(server: Pick<RunningServer, 'port'>, options: Partial<Pusher.BaseOptions> = {}): Pusher {
  return new Pusher({
    ...DEFAULT_APP,
    host: '127.0.0.1',
    port: String(server.port),
    useTLS: false,
    ...options,
  });
}
