import { defaultServerConfig, type ServerConfig } from './ServerConfig.js';
import type { ServerDeps } from '../ServerApi.js';

/**
 * What {@link createServer} accepts: any part of a {@link ServerConfig}. Top-level fields
 * replace their default; the fields of a nested group (`limits`, `cluster`, `metrics`,
 * `webhooks`, `adapter`, …) are merged into the group's defaults one by one, at every
 * depth. Arrays (`apps`, `cluster.seeds`) replace the default whole.
 */
export type ServerConfigInput = {
  [K in keyof ServerConfig]?: ServerConfig[K] extends readonly unknown[]
    ? ServerConfig[K]
    : ServerConfig[K] extends object
      ? ServerConfigGroupInput<ServerConfig[K]>
      : ServerConfig[K];
};

/** A settings group with every field optional, and the fields of its own groups too. */
export type ServerConfigGroupInput<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] | ((...args: never[]) => unknown)
    ? T[K]
    : T[K] extends object
      ? Partial<T[K]>
      : T[K];
};

/**
 * Completes a partial configuration with {@link defaultServerConfig} and checks the values a
 * host application is most likely to get wrong (ports, apps). `undefined` means "the default".
 * @throws TypeError naming the field, for an unknown top-level setting or a value the server
 * could not run with.
 */
export function resolveServerConfig(input: ServerConfigInput = {}): ServerConfig {
  const defaults = defaultServerConfig() as unknown as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    // A misspelt setting would otherwise be ignored silently (JavaScript callers have no types).
    if (!(key in defaults))
      throw new TypeError(`unknown setting '${key}'; settings are ${Object.keys(defaults).join(', ')}`);
    merged[key] = withDefaults(defaults[key], value);
  }
  const config = merged as unknown as ServerConfig;
  checkConfig(config);
  return config;
}

function checkConfig(config: ServerConfig): void {
  checkPort('port', config.port);
  checkPort('metrics.port', config.metrics.port);
  checkPort('cluster.port', config.cluster.port);
  if (typeof config.host !== 'string' || config.host === '') throw new TypeError('host must be a non-empty string');
  if (config.debugConsole.enabled && config.debugConsole.token === '')
    throw new TypeError('debugConsole.token must be set when debugConsole.enabled is true');
  if (!Array.isArray(config.apps)) throw new TypeError('apps must be an array of { id, key, secret }');
  config.apps.forEach((app, index) => {
    for (const field of ['id', 'key', 'secret'] as const) {
      if (typeof app?.[field] !== 'string' || app[field] === '') {
        throw new TypeError(`apps[${index}].${field} must be a non-empty string`);
      }
    }
  });
}

function checkPort(name: string, port: unknown): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`${name} must be an integer from 0 to 65535 (0 picks a free port), got ${String(port)}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` over `base`: plain objects field by field (recursively), anything else replaces. */
function withDefaults(base: unknown, value: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(value)) return value;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== undefined) merged[key] = withDefaults(base[key], entry);
  }
  return merged;
}

/**
 * `adapter.driver` other than `local` names an adapter that the caller builds (it starts
 * network clients): refusing here beats silently running a lone node that was meant to join a
 * cluster.
 */
export function checkAdapterGiven(config: ServerConfig, deps: Pick<ServerDeps, 'adapter'>): void {
  if (deps.adapter === undefined && config.adapter.driver !== 'local') {
    throw new TypeError(
      `adapter.driver is '${config.adapter.driver}' but no adapter was given: pass deps.adapter ` +
        `(for the mesh: const { adapter, transport } = createMeshCluster(config.cluster))`,
    );
  }
}
