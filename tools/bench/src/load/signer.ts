import { createHash, createHmac } from 'node:crypto';

/** An app's credentials, as the server knows them. */
export interface AppCredentials {
  readonly id: string;
  readonly key: string;
  readonly secret: string;
}

/** meshpush's default app, which the bench servers run with. */
export const DEFAULT_APP: AppCredentials = Object.freeze({ id: 'app-id', key: 'app-key', secret: 'app-secret' });

/**
 * The query string of a signed HTTP API request (PROTOCOL.md §3.6): `auth_key`, `auth_timestamp`,
 * `auth_version`, `body_md5` when there is a body, sorted by key, then `auth_signature` over
 * `METHOD\npath\nquery`. Values here never need URL escaping.
 */
export function signedQuery(
  app: AppCredentials,
  method: string,
  path: string,
  body: string,
  timestampSec: number,
): string {
  const params: [string, string][] = [
    ['auth_key', app.key],
    ['auth_timestamp', String(timestampSec)],
    ['auth_version', '1.0'],
  ];
  if (body.length > 0) params.push(['body_md5', createHash('md5').update(body).digest('hex')]);
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.map(([k, v]) => `${k}=${v}`).join('&');
  const signature = hmacHex(app.secret, `${method.toUpperCase()}\n${path}\n${query}`);
  return `${query}&auth_signature=${signature}`;
}

/** HMAC-SHA256 in lowercase hex: the signature of every Pusher auth token. */
export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** `key:signature` for a presence channel subscription (PROTOCOL.md §3.5). */
export function presenceAuth(app: AppCredentials, socketId: string, channel: string, channelData: string): string {
  return `${app.key}:${hmacHex(app.secret, `${socketId}:${channel}:${channelData}`)}`;
}
