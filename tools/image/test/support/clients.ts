import { createRequire } from 'node:module';
import Pusher from 'pusher';
import type * as PusherJs from 'pusher-js';

/** The default app of a server started without DEFAULT_APP_* settings. */
export const APP = { appId: 'app-id', key: 'app-key', secret: 'app-secret' } as const;

/** A pusher-js client (its Node build). */
export type PusherClient = PusherJs.default;

// pusher-js is CommonJS whose typings declare an ES default export; require gives the class.
const PusherClientClass = createRequire(import.meta.url)('pusher-js') as new (
  key: string,
  options: PusherJs.Options,
) => PusherClient;

/** The `pusher` server SDK pointed at one node's HTTP API. */
export function pusherSdk(port: number): Pusher {
  return new Pusher({ ...APP, host: '127.0.0.1', port: String(port), useTLS: false });
}

/** A pusher-js client of the node on `port`, authorizing private and presence channels as `userId`. */
export function pusherClient(port: number, userId: string): PusherClient {
  const signer = pusherSdk(port);
  return new PusherClientClass(APP.key, {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, callback) =>
        callback(
          null,
          channelName.startsWith('presence-')
            ? signer.authorizeChannel(socketId, channelName, { user_id: userId, user_info: { name: userId } })
            : signer.authorizeChannel(socketId, channelName),
        ),
    },
  } as PusherJs.Options);
}
