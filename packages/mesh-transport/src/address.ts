import { isIP } from 'node:net';

/** A TCP endpoint. `host` is an IP address or a DNS name. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function formatAddress({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Parses `host:port` or `[v6]:port`; throws a `TypeError` naming the bad entry. */
export function parseAddress(text: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !isValidPort(port) || port === 0) {
    throw new TypeError(`invalid mesh address "${text}": expected host:port`);
  }
  return { host, port };
}

export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65535;
}

/** An address that means "every interface": it cannot be dialled as such. */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::';
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The address a sibling on the same machine dials to reach a listener bound to `host`. */
export function dialableHost(host: string): string {
  if (host === '::') return '::1';
  return isWildcardHost(host) ? '127.0.0.1' : host;
}
