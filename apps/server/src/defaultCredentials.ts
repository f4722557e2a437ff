import { isIP } from 'node:net';
import { defaultAppConfig, type ServerConfig } from '@meshpush/pusher-server';

/**
 * The start-up warning for a server that others can reach while an app keeps the built-in key or
 * secret: both are printed in every README, so anyone who reaches the port could publish to that
 * app and sign its private and presence channels. Undefined when nothing is at risk.
 */
export function defaultCredentialsWarning(server: Pick<ServerConfig, 'host' | 'apps'>): string | undefined {
  if (isLoopback(server.host)) return undefined;
  const builtIn = defaultAppConfig();
  const exposed = server.apps.flatMap((app) => {
    const parts = [app.key === builtIn.key ? 'key' : '', app.secret === builtIn.secret ? 'secret' : ''];
    const named = parts.filter((part) => part !== '').join(' and ');
    return named === '' ? [] : [`${app.id} (${named})`];
  });
  if (exposed.length === 0) return undefined;
  return (
    `listening on ${server.host}, not loopback, with the built-in default credentials of app ` +
    `${exposed.join(', ')}. They are in every meshpush README: with the secret, anyone who reaches ` +
    `this port can publish to the app and sign its private and presence channels. Set ` +
    `DEFAULT_APP_KEY and DEFAULT_APP_SECRET (or the apps of your config file), or HOST=127.0.0.1`
  );
}

/** Whether `host` binds loopback only (a name other than localhost may resolve anywhere). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.replace(/^::ffff:/i, '');
  return isIP(v4) === 4 && v4.startsWith('127.');
}
