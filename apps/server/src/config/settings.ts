import {
  defaultNatsTransportConfig,
  defaultRedisTransportConfig,
  type NatsTransportConfig,
  type RedisTransportConfig,
} from '@meshpush/broker-transport';
import { defaultServerConfig, type AppConfig, type ServerConfig } from '@meshpush/pusher-server';

/** Rate limiter drivers this CLI accepts in a configuration. */
export type RateLimiterDriver = 'local' | 'cluster' | 'redis';

/**
 * Everything `meshpush start` can be told, as one typed object. The option table writes into it
 * by path; `finalize` turns it into the server's `ServerConfig`.
 */
export interface Settings {
  server: ServerConfig;
  /** The default app (`DEFAULT_APP_*`), served when the config file lists no apps. */
  defaultApp: AppConfig;
  /** `appManager.array.apps` from the config file. */
  apps: AppConfig[] | undefined;
  rateLimiter: { driver: RateLimiterDriver };
  /** The brokers of `ADAPTER_DRIVER=nats` and `redis` (`ADAPTER_NATS_*`, `ADAPTER_REDIS_*`, `DB_REDIS_*`). */
  brokers: Brokers;
  log: { json: boolean };
  /** Files of mesh TLS (`CLUSTER_TLS_*`); read at start and on SIGHUP into `server.cluster.tls`. */
  clusterTls: ClusterTlsFiles;
  /** Where apps come from (`APP_MANAGER_*`, `DB_POSTGRES_*`, `DB_MYSQL_*`, `DB_POOLING_*`). */
  appManager: AppManagerSettings;
}

export type AppManagerDriver = 'array' | 'postgres' | 'mysql' | 'dynamodb';

/** One database server, soketi's `database.<driver>` shape. */
export interface DatabaseConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface AppManagerSettings {
  driver: AppManagerDriver;
  /** `ttl` in seconds, -1 = meshpush's default. */
  cache: { enabled: boolean; ttl: number };
  postgres: { table: string; version: string };
  mysql: { table: string; version: string; useMysql2: boolean };
  /** `endpoint` '' = the region's AWS endpoint. */
  dynamodb: { table: string; region: string; endpoint: string };
  database: { postgres: DatabaseConnection; mysql: DatabaseConnection };
  pooling: { enabled: boolean; min: number; max: number };
}

/** soketi 1.6's defaults, so an unchanged soketi environment means the same here. */
export function defaultAppManagerSettings(): AppManagerSettings {
  const connection = (port: number, user: string): DatabaseConnection => ({
    host: '127.0.0.1',
    port,
    user,
    password: 'password',
    database: 'main',
  });
  return {
    driver: 'array',
    cache: { enabled: false, ttl: -1 },
    postgres: { table: 'apps', version: '13.3' },
    mysql: { table: 'apps', version: '8.0', useMysql2: false },
    dynamodb: { table: 'apps', region: 'us-east-1', endpoint: '' },
    database: { postgres: connection(5432, 'postgres'), mysql: connection(3306, 'root') },
    pooling: { enabled: false, min: 0, max: 7 },
  };
}

/** Where the broker transports connect; only the one `ADAPTER_DRIVER` names is used. */
export interface Brokers {
  nats: NatsTransportConfig;
  redis: RedisTransportConfig;
}

/** Empty strings mean "not set"; all three or none. */
export interface ClusterTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

type Scalar = string | number | boolean | readonly unknown[];

/** Dotted paths to every leaf of `T` (arrays are leaves): `'server.cluster.port'`, … */
type Leaves<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends Scalar
    ? K
    : NonNullable<T[K]> extends object
      ? `${K}.${Leaves<NonNullable<T[K]>>}`
      : K;
}[keyof T & string];

export type SettingPath = Leaves<Settings>;

export function defaultSettings(): Settings {
  const server = defaultServerConfig();
  const [defaultApp] = server.apps;
  if (!defaultApp) throw new Error('defaultServerConfig() has no default app');
  return {
    server,
    defaultApp: { ...defaultApp },
    apps: undefined,
    rateLimiter: { driver: 'local' },
    brokers: { nats: defaultNatsTransportConfig(), redis: defaultRedisTransportConfig() },
    log: { json: false },
    clusterTls: { certFile: '', keyFile: '', caFile: '' },
    appManager: defaultAppManagerSettings(),
  };
}

export function setSetting(settings: Settings, path: SettingPath, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node = settings as unknown as Record<string, unknown>;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  node[last] = value;
}

export function getSetting(settings: Settings, path: SettingPath): unknown {
  let node: unknown = settings;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}
