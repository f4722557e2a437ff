import { Redis, type RedisOptions } from 'ioredis';
import {
  backoffMs,
  type BrokerConnection,
  type BrokerConnectionEvents,
  type BrokerConnectionStatus,
} from './BrokerConnection.js';

/** One Redis endpoint (a server, a Sentinel or a Cluster node). */
export interface RedisHostPort {
  readonly host: string;
  readonly port: number;
}

/** Settings of the Redis server(s) (soketi's `DB_REDIS_*` and `ADAPTER_REDIS_CLUSTER_MODE`). */
export interface RedisConnectionOptions {
  /** @default '127.0.0.1' */
  readonly host: string;
  /** @default 6379 */
  readonly port: number;
  /** @default 0 */
  readonly db: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** ioredis `keyPrefix`; pub/sub channel names are not keys, so the transport never uses it. @default '' */
  readonly keyPrefix?: string;
  /** Sentinels to ask for the master `instanceName`; empty = no Sentinel. @default [] */
  readonly sentinels?: readonly RedisHostPort[];
  readonly sentinelPassword?: string | undefined;
  /** @default 'mymaster' */
  readonly instanceName?: string;
  /** Redis Cluster: connect to these nodes instead of `host:port`. @default false */
  readonly clusterMode?: boolean;
  /** @default [] */
  readonly clusterNodes?: readonly RedisHostPort[];
  /** @default 10000 */
  readonly connectTimeoutMs?: number;
}

/** Redis accepts 512 MB per value; larger broker messages are chunked well below that. */
const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;

/**
 * Two ioredis connections (a subscriber is stuck in subscriber mode, so publishing needs its own),
 * each reconnecting forever with growing delays. Subscriptions are restored by this class, not
 * by ioredis, so that `connected` is reported only once the server has confirmed them.
 *
 * Redis Cluster: PUBLISH on any node reaches subscribers on every node, and ioredis's `Cluster`
 * would send each PUBLISH to a random node, losing the order of one sender's messages that the
 * transport relies on. So cluster mode uses one connection per role to one cluster node (the
 * first of `clusterNodes`), and ordinary PUBLISH/SUBSCRIBE; each reconnect attempt moves on to
 * the next listed node, so a dead cluster member is left behind.
 */
export class RedisConnection implements BrokerConnection {
  readonly #options: RedisConnectionOptions;
  readonly #subjects = new Set<string>();
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  #lastSubscribe: Promise<void> = Promise.resolve();
  #events: BrokerConnectionEvents | undefined;
  #state: BrokerConnectionStatus['state'] = 'connecting';
  #reason: string | undefined;
  #disconnects = 0;
  #dropped = 0;
  #closing = false;

  constructor(options: RedisConnectionOptions) {
    this.#options = options;
    this.#publisher = new Redis(this.#clientOptions('publisher'));
    this.#subscriber = new Redis(this.#clientOptions('subscriber'));
    for (const client of [this.#publisher, this.#subscriber]) {
      client.on('error', (error: Error) => (this.#reason = describeRedisError(error)));
      client.on('close', () => this.#onClose());
      client.on('ready', () => void this.#onReady());
    }
    this.#subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.#events?.message(channel.toString(), message),
    );
  }

  async open(events: BrokerConnectionEvents): Promise<void> {
    this.#events = events;
    try {
      await Promise.all([this.#publisher.connect(), this.#subscriber.connect()]);
      await this.#onReady();
      if (this.#state !== 'connected') throw new Error(this.#reason ?? 'the connection closed while subscribing');
    } catch (error) {
      this.#closing = true;
      this.#state = 'closed';
      this.#publisher.disconnect();
      this.#subscriber.disconnect();
      const reason = this.#reason ?? describeRedisError(error);
      throw new Error(`cannot connect to Redis at ${this.#endpoint()}: ${reason}`, { cause: error });
    }
  }

  /** Starts receiving `subject` (kept across reconnects). */
  subscribe(subject: string): void {
    this.#subjects.add(subject);
    if (this.#subscriber.status !== 'ready') return;
    // One connection answers in order: the last SUBSCRIBE's answer covers every earlier one.
    this.#lastSubscribe = this.#subscriber.subscribe(subject).then(
      () => undefined,
      () => undefined,
    );
  }

  subscriptionsActive(): Promise<void> {
    return this.#subscriber.status === 'ready' ? this.#lastSubscribe : Promise.resolve();
  }

  /** Stops receiving `subject`. */
  unsubscribe(subject: string): void {
    if (!this.#subjects.delete(subject)) return;
    if (this.#subscriber.status === 'ready') this.#subscriber.unsubscribe(subject).catch(() => undefined);
  }

  publish(subject: string, data: Uint8Array): void {
    if (this.#state !== 'connected') {
      this.#dropped++;
      return;
    }
    this.#publisher
      .publish(subject, Buffer.from(data.buffer, data.byteOffset, data.byteLength))
      .catch(() => this.#dropped++);
  }

  /** Connection state, its reason, and the loss counters. */
  status(): BrokerConnectionStatus {
    return {
      driver: 'redis',
      endpoint: this.#endpoint(),
      state: this.#state,
      reason: this.#reason,
      disconnects: this.#disconnects,
      droppedPublishes: this.#dropped,
      maxPayloadBytes: MAX_PAYLOAD_BYTES,
    };
  }

  maxPayloadBytes(): number {
    return MAX_PAYLOAD_BYTES;
  }

  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#state = 'closed';
    // QUIT after what is queued on the publisher, so a BYE sent just before still goes out.
    await Promise.all([this.#publisher.quit().catch(() => undefined), this.#subscriber.quit().catch(() => undefined)]);
  }

  async #onReady(): Promise<void> {
    if (this.#closing || this.#publisher.status !== 'ready' || this.#subscriber.status !== 'ready') return;
    try {
      if (this.#subjects.size > 0) await this.#subscriber.subscribe(...this.#subjects);
    } catch (error) {
      this.#reason = describeRedisError(error);
      this.#subscriber.disconnect(true);
      return;
    }
    if (this.#closing || this.#state === 'connected') return;
    if (this.#publisher.status !== 'ready' || this.#subscriber.status !== 'ready') return;
    this.#state = 'connected';
    this.#reason = undefined;
    this.#events?.connected();
  }

  #onClose(): void {
    if (this.#closing) return;
    if (this.#state === 'connected') this.#disconnects++;
    const wasConnected = this.#state === 'connected';
    this.#state = 'disconnected';
    this.#reason ??= 'connection closed';
    if (wasConnected) this.#events?.disconnected(this.#reason);
  }

  #clientOptions(role: string): RedisOptions {
    const o = this.#options;
    const sentinels = o.sentinels ?? [];
    const target = o.clusterMode
      ? (o.clusterNodes?.[0] ?? { host: o.host, port: o.port })
      : { host: o.host, port: o.port };
    return {
      ...(sentinels.length > 0
        ? {
            sentinels: sentinels.map((s) => ({ ...s })),
            name: o.instanceName ?? 'mymaster',
            ...(o.sentinelPassword ? { sentinelPassword: o.sentinelPassword } : {}),
          }
        : target),
      ...(o.clusterMode ? {} : { db: o.db }),
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
      ...(o.keyPrefix ? { keyPrefix: o.keyPrefix } : {}),
      connectionName: `meshpush-${role}`,
      lazyConnect: true,
      autoResubscribe: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: null,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      retryStrategy: (times: number) => {
        if (this.#closing) return null;
        if (o.clusterMode) this.#nextClusterNode(role === 'publisher' ? this.#publisher : this.#subscriber);
        return backoffMs(times - 1);
      },
    };
  }

  /** ioredis reads `options.host`/`port` at each connect attempt: point the next one at another node. */
  #nextClusterNode(client: Redis): void {
    const nodes = this.#options.clusterNodes ?? [];
    const current = nodes.findIndex((n) => n.host === client.options.host && n.port === client.options.port);
    const next = nodes[(current + 1) % Math.max(1, nodes.length)];
    if (next === undefined) return;
    client.options.host = next.host;
    client.options.port = next.port;
  }

  #endpoint(): string {
    const o = this.#options;
    const list = (nodes: readonly RedisHostPort[]): string => nodes.map((n) => `${n.host}:${n.port}`).join(',');
    if ((o.sentinels ?? []).length > 0)
      return `sentinel ${o.instanceName ?? 'mymaster'} via ${list(o.sentinels ?? [])}`;
    if (o.clusterMode) return `cluster ${list(o.clusterNodes?.length ? o.clusterNodes : [o])}`;
    return `${o.host}:${o.port}/${o.db}`;
  }
}

/** One line for an ioredis error, with a hint for wrong credentials. */
export function describeRedisError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return `${message} (check DB_REDIS_USERNAME / DB_REDIS_PASSWORD)`;
  }
  if (/ECONNREFUSED/.test(message)) return `${message} (is redis-server running there?)`;
  return message;
}
