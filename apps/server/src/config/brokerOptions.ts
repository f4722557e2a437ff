import { natsPrefixProblem, type RedisNode } from '@meshpush/broker-transport';
import { ValueError } from './errors.js';
import { setting, type SettingOption } from './options.js';
import {
  isPlainObject,
  jsonList,
  parseBoolean,
  parseCount,
  parsePort,
  parsePositive,
  text,
  type Parser,
} from './parsers.js';

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/;
const NATS_URL = /^(nats|tls|ws|wss):\/\/([^\s/]+@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?\/?$/;

/** A comma-separated string, a JSON array string, or an array (config file). */
function entries(input: unknown): string[] {
  const list =
    typeof input === 'string' && !input.trim().startsWith('[') ? input.split(',') : jsonList((v) => v)(input);
  return list
    .map((entry) => (typeof entry === 'string' ? entry.trim() : entry))
    .filter((entry) => entry !== '') as string[];
}

/** soketi's `ADAPTER_NATS_SERVERS`: `host:port` or `nats://host:port` entries. */
export const parseNatsServers: Parser<string[]> = (input) => {
  const servers = entries(input).map((entry) => {
    if (typeof entry !== 'string' || !(HOST_PORT.test(entry) || NATS_URL.test(entry))) {
      throw new ValueError(
        `"${String(entry)}" is not a NATS server (expected host:port or nats://host:port, comma-separated)`,
      );
    }
    return entry;
  });
  if (servers.length === 0) throw new ValueError('expected at least one NATS server');
  return servers;
};

export const parseNatsPrefix: Parser<string> = (input) => {
  const prefix = text({ allowEmpty: true })(input).trim();
  const problem = natsPrefixProblem(prefix);
  if (problem !== undefined) throw new ValueError(problem);
  return prefix;
};

/**
 * Redis nodes (Sentinels, cluster nodes): soketi's JSON list of `{"host": …, "port": …}`, or
 * `host:port,host:port`.
 */
export const parseRedisNodes: Parser<RedisNode[]> = (input) =>
  entries(input).map((entry) => {
    if (isPlainObject(entry)) {
      const host = text()(entry.host);
      return { host, port: entry.port === undefined ? 6379 : parsePort(entry.port) };
    }
    const match = typeof entry === 'string' ? HOST_PORT.exec(entry) : null;
    if (!match?.[1])
      throw new ValueError(`"${JSON.stringify(entry)}" is not a Redis node (expected {"host","port"} or host:port)`);
    return { host: match[1].replace(/^\[|\]$/g, ''), port: match[2] === undefined ? 6379 : parsePort(match[2]) };
  });

const optionalText = text({ allowEmpty: true });
/** `undefined` for an empty value: soketi's unset credentials are empty strings. */
const credential: Parser<string | undefined> = (input) => optionalText(input) || undefined;

const natsOptions: SettingOption[] = [
  setting({
    env: 'ADAPTER_NATS_SERVERS',
    key: 'adapter.nats.servers',
    target: 'brokers.nats.servers',
    parse: parseNatsServers,
    doc: 'NATS servers, host:port,… (nats driver)',
  }),
  setting({
    env: 'ADAPTER_NATS_USER',
    key: 'adapter.nats.user',
    target: 'brokers.nats.user',
    parse: credential,
    doc: 'NATS user',
  }),
  setting({
    env: 'ADAPTER_NATS_PASSWORD',
    key: 'adapter.nats.pass',
    target: 'brokers.nats.password',
    parse: credential,
    doc: 'NATS password',
    secret: true,
  }),
  setting({
    env: 'ADAPTER_NATS_TOKEN',
    key: 'adapter.nats.token',
    target: 'brokers.nats.token',
    parse: credential,
    doc: 'NATS token',
    secret: true,
  }),
  setting({
    env: 'ADAPTER_NATS_PREFIX',
    key: 'adapter.nats.prefix',
    target: 'brokers.nats.prefix',
    parse: parseNatsPrefix,
    doc: 'subject prefix, so clusters can share one NATS',
  }),
  setting({
    env: 'ADAPTER_NATS_TIMEOUT',
    key: 'adapter.nats.timeout',
    target: 'brokers.nats.connectTimeoutMs',
    parse: parsePositive,
    doc: 'NATS connect timeout (ms)',
  }),
  setting({
    env: 'ADAPTER_NATS_REQUESTS_TIMEOUT',
    key: 'adapter.nats.requestsTimeout',
    target: 'brokers.nats.requestTimeoutMs',
    parse: parsePositive,
    doc: 'cross-node request timeout over NATS (ms)',
  }),
  setting({
    env: 'ADAPTER_NATS_NODES_NUMBER',
    key: 'adapter.nats.nodesNumber',
    target: null,
    parse: parseCount,
    doc: 'accepted and ignored: nodes are found by their heartbeats',
  }),
];

const redisOptions: SettingOption[] = [
  setting({
    env: 'ADAPTER_REDIS_PREFIX',
    key: 'adapter.redis.prefix',
    target: 'brokers.redis.prefix',
    parse: optionalText,
    doc: 'pub/sub channel prefix, so clusters can share one Redis',
  }),
  setting({
    env: 'ADAPTER_REDIS_CLUSTER_MODE',
    key: 'adapter.redis.clusterMode',
    target: 'brokers.redis.clusterMode',
    parse: parseBoolean,
    doc: 'Redis Cluster: connect to DB_REDIS_CLUSTER_NODES',
  }),
  setting({
    env: 'ADAPTER_REDIS_REQUESTS_TIMEOUT',
    key: 'adapter.redis.requestsTimeout',
    target: 'brokers.redis.requestTimeoutMs',
    parse: parsePositive,
    doc: 'cross-node request timeout over Redis (ms)',
  }),
  setting({
    env: 'DB_REDIS_HOST',
    key: 'database.redis.host',
    target: 'brokers.redis.host',
    parse: text(),
    doc: 'Redis host',
  }),
  setting({
    env: 'DB_REDIS_PORT',
    key: 'database.redis.port',
    target: 'brokers.redis.port',
    parse: parsePort,
    doc: 'Redis port',
  }),
  setting({
    env: 'DB_REDIS_DB',
    key: 'database.redis.db',
    target: 'brokers.redis.db',
    parse: parseCount,
    doc: 'Redis database number',
  }),
  setting({
    env: 'DB_REDIS_USERNAME',
    key: 'database.redis.username',
    target: 'brokers.redis.username',
    parse: credential,
    doc: 'Redis ACL user',
  }),
  setting({
    env: 'DB_REDIS_PASSWORD',
    key: 'database.redis.password',
    target: 'brokers.redis.password',
    parse: credential,
    doc: 'Redis password',
    secret: true,
  }),
  setting({
    env: 'DB_REDIS_KEY_PREFIX',
    key: 'database.redis.keyPrefix',
    target: 'brokers.redis.keyPrefix',
    parse: optionalText,
    doc: 'Redis key prefix (pub/sub channels are not keys)',
  }),
  setting({
    env: 'DB_REDIS_SENTINELS',
    key: 'database.redis.sentinels',
    target: 'brokers.redis.sentinels',
    parse: parseRedisNodes,
    doc: 'Sentinels, JSON [{"host","port"}] or host:port,…',
  }),
  setting({
    env: 'DB_REDIS_SENTINEL_PASSWORD',
    key: 'database.redis.sentinelPassword',
    target: 'brokers.redis.sentinelPassword',
    parse: credential,
    doc: 'Sentinel password',
    secret: true,
  }),
  setting({
    env: 'DB_REDIS_INSTANCE_NAME',
    key: 'database.redis.name',
    target: 'brokers.redis.instanceName',
    parse: text(),
    doc: 'Sentinel master name',
  }),
  setting({
    env: 'DB_REDIS_CLUSTER_NODES',
    key: 'database.redis.clusterNodes',
    target: 'brokers.redis.clusterNodes',
    parse: parseRedisNodes,
    doc: 'Redis Cluster nodes, JSON [{"host","port"}] or host:port,…',
  }),
];

/** The NATS and Redis transports' options (soketi's names). */
export const brokerOptions: readonly SettingOption[] = [...natsOptions, ...redisOptions];
