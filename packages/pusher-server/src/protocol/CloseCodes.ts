/**
 * Pusher close codes (protocol 7). What pusher-js does on each range decides which to use:
 * 4000–4099 are never retried unchanged, 4100–4199 are retried after a second,
 * 4200–4299 at once, and ≥ 4300 never — so 43xx are only ever error *events*, not close codes.
 */
export interface CloseCode {
  readonly code: number;
  readonly reason: string;
}

/** The app key in `/app/{key}` is unknown. Not retried. */
export const AppNotFound: CloseCode = { code: 4001, reason: 'App key does not exist' };
/** The app is disabled. Not retried. */
export const AppDisabled: CloseCode = { code: 4003, reason: 'App is disabled' };
/** The app is over its connection quota. Not retried. */
export const OverConnectionQuota: CloseCode = { code: 4004, reason: 'App is over its connection quota' };
/** The WebSocket path is not `/app/{key}`. Not retried. */
export const PathNotFound: CloseCode = { code: 4005, reason: 'Path not found' };
/** The `protocol` query parameter names a version this server does not speak. Not retried. */
export const UnsupportedProtocol: CloseCode = { code: 4007, reason: 'Unsupported protocol version' };
/** The connection did not authorize in time, or the app terminated it. Not retried. */
export const Unauthorized: CloseCode = { code: 4009, reason: 'Connection is unauthorized' };
/** The server is over capacity: the client retries after backing off. */
export const OverCapacity: CloseCode = { code: 4100, reason: 'Server is over capacity' };
/** The server is going away (drain, restart): the client reconnects at once, elsewhere. */
export const ReconnectImmediately: CloseCode = { code: 4200, reason: 'Server is shutting down, reconnect' };
/** The client answered no ping in time. Reconnects at once. */
export const PongNotReceived: CloseCode = { code: 4201, reason: 'Pong reply not received' };

/** Codes carried by `pusher:error` events on sockets that stay open. */
export const ErrorCodes = {
  /** A client event was refused by the rate limit. */
  ClientEventRateLimited: 4301,
  /** A watchlist named more than 100 users; the first 100 were accepted. */
  WatchlistLimitExceeded: 4302,
} as const;
