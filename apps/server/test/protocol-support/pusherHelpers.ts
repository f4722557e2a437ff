import type { ExecutionContext } from 'ava';
import { pusherClient, pusherSdk, type RunningServer } from '../support/server.js';

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
  t: ExecutionContext,
  server: RunningServer,
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

/** Subscribes and waits for `pusher:subscription_succeeded`; returns the channel and its payload. */
export async function subscribed(client: any, channelName: string): Promise<{ channel: any; data: any }> {
  const channel = client.subscribe(channelName);
  const data = await nextEvent(channel, 'pusher:subscription_succeeded');
  return { channel, data };
}
