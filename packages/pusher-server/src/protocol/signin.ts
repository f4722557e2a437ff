import { ErrorCodes, Unauthorized } from './CloseCodes.js';
import type { Connection } from './Connection.js';
import * as frames from './frames.js';
import { field, type ProtocolContext } from './ProtocolContext.js';
import { verifyAuthToken } from './signatures.js';

/** Pusher accepts at most this many watched users; the rest are refused with 4302. */
export const MAX_WATCHLIST = 100;

interface SigninRequest {
  readonly userId: string;
  readonly userData: string;
  readonly watchlist: string[];
}

/**
 * `pusher:signin`: binds the connection to a user after checking the signature over
 * `<socket_id>::user::<user_data>` (the exact string sent). pusher-js then subscribes to
 * `#server-to-user-<id>`. A refusal is a `pusher:error` with 4009; the socket stays open.
 */
export function handleSignin(ctx: ProtocolContext, connection: Connection, data: unknown): void {
  const request = readSignin(connection, data);
  if (typeof request === 'string') {
    connection.send(frames.errorFrame(request, Unauthorized.code));
    return;
  }
  if (connection.userId !== undefined) {
    if (connection.userId === request.userId) connection.send(frames.signinSuccess(request.userData));
    else connection.send(frames.errorFrame('This connection is already signed in as another user', Unauthorized.code));
    return;
  }
  const watchlist = request.watchlist.slice(0, MAX_WATCHLIST);
  if (request.watchlist.length > MAX_WATCHLIST) {
    connection.send(
      frames.errorFrame(
        `Watchlist is limited to ${MAX_WATCHLIST} users; the first ${MAX_WATCHLIST} were accepted`,
        ErrorCodes.WatchlistLimitExceeded,
      ),
    );
  }
  connection.userId = request.userId;
  connection.watchlist = watchlist;
  connection.authDeadlineMs = undefined;
  ctx.registry.signedIn(connection, request.userId, watchlist);
  ctx.adapter.addUser(connection.app.id, request.userId, connection.id);
  connection.send(frames.signinSuccess(request.userData));
  sendInitialWatchlist(ctx, connection);
}

function readSignin(connection: Connection, data: unknown): SigninRequest | string {
  const userData = field(data, 'user_data');
  if (typeof userData !== 'string') return 'pusher:signin: user_data must be a JSON string';
  const { key, secret } = connection.app;
  if (!verifyAuthToken(field(data, 'auth'), key, secret, `${connection.id}::user::${userData}`)) {
    return 'pusher:signin: invalid signature';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(userData);
  } catch {
    return 'pusher:signin: user_data is not valid JSON';
  }
  const userId = field(parsed, 'id');
  if (typeof userId !== 'string' || userId.length === 0)
    return 'pusher:signin: user_data must contain a non-empty string id';
  const rawWatchlist = field(parsed, 'watchlist');
  const watchlist = Array.isArray(rawWatchlist)
    ? rawWatchlist.filter((id): id is string => typeof id === 'string')
    : [];
  return { userId, userData, watchlist: [...new Set(watchlist)] };
}

/** Tells a fresh watcher which of its watched users are online right now. */
function sendInitialWatchlist(ctx: ProtocolContext, connection: Connection): void {
  const online = connection.watchlist.filter((userId) => ctx.adapter.isUserOnline(connection.app.id, userId));
  if (online.length > 0) connection.send(frames.watchlistEvents([{ name: 'online', user_ids: online }]));
}
