import {
  connect,
  type NatsConnection as NatsClient,
  type NodeConnectionOptions,
  type Subscription,
} from '@nats-io/transport-node';
import {
  backoffMs,
  type BrokerConnection,
  type BrokerConnectionEvents,
  type BrokerConnectionStatus,
} from './BrokerConnection.js';

/** Settings of a NATS connection (soketi's `ADAPTER_NATS_*`). */
export interface NatsConnectionOptions {
  /** `host:port` or `nats://host:port` of one or more servers. @default ['127.0.0.1:4222'] */
  readonly servers: readonly string[];
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly token?: string | undefined;
  /** Connect timeout (ADAPTER_NATS_TIMEOUT). @default 10000 */
  readonly connectTimeoutMs?: number;
  /** Client pings the server this often to notice a dead connection without TCP errors. @default 5000 */
  readonly pingIntervalMs?: number;
}

/** The NATS default (1 MB) until the server says otherwise. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * A NATS connection for a broker transport. The client reconnects by itself (forever, with
 * growing delays) and restores subscriptions; `connected` is reported again only after a flush
 * confirms the server has them. If the client gives up (it does after repeated auth failures),
 * this opens a new one with the same backoff.
 */
export class NatsConnection implements BrokerConnection {
  readonly #options: NatsConnectionOptions;
  readonly #subscriptions = new Map<string, Subscription | undefined>();
  #client: NatsClient | undefined;
  #events: BrokerConnectionEvents | undefined;
  #state: BrokerConnectionStatus['state'] = 'connecting';
  #reason: string | undefined;
  #disconnects = 0;
  #dropped = 0;
  #attempt = 0;
  #closing = false;

  constructor(options: NatsConnectionOptions) {
    this.#options = options;
  }

  async open(events: BrokerConnectionEvents): Promise<void> {
    this.#events = events;
    try {
      await this.#connect();
    } catch (error) {
      this.#state = 'closed';
      throw new Error(`cannot connect to NATS at ${this.#endpoint()}: ${describeNatsError(error)}`, { cause: error });
    }
  }

  /** Starts receiving `subject` (kept across reconnects). */
  subscribe(subject: string): void {
    this.#subscriptions.set(subject, this.#subscribeOn(this.#client, subject));
  }

  /** A flush is a round trip to the server, which handles this client's SUBs in order. */
  subscriptionsActive(): Promise<void> {
    if (this.#state !== 'connected' || this.#client === undefined) return Promise.resolve();
    return this.#client.flush().catch(() => undefined);
  }

  /** Stops receiving `subject`. */
  unsubscribe(subject: string): void {
    const subscription = this.#subscriptions.get(subject);
    this.#subscriptions.delete(subject);
    if (subscription !== undefined && !subscription.isClosed()) subscription.unsubscribe();
  }

  publish(subject: string, data: Uint8Array): void {
    if (this.#state !== 'connected' || this.#client === undefined) {
      this.#dropped++;
      return;
    }
    try {
      this.#client.publish(subject, data);
    } catch {
      this.#dropped++;
    }
  }

  /** Connection state, its reason, and the loss counters. */
  status(): BrokerConnectionStatus {
    return {
      driver: 'nats',
      endpoint: this.#endpoint(),
      state: this.#state,
      reason: this.#reason,
      disconnects: this.#disconnects,
      droppedPublishes: this.#dropped,
      maxPayloadBytes: this.maxPayloadBytes(),
    };
  }

  maxPayloadBytes(): number {
    return this.#client?.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#state = 'closed';
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined || client.isClosed()) return;
    await client.flush().catch(() => undefined);
    await client.close();
  }

  async #connect(): Promise<void> {
    const client = await connect(this.#clientOptions());
    this.#client = client;
    for (const subject of this.#subscriptions.keys())
      this.#subscriptions.set(subject, this.#subscribeOn(client, subject));
    await client.flush();
    this.#attempt = 0;
    void this.#watch(client);
    void client.closed().then((error) => this.#onClosed(client, error));
    this.#setConnected();
  }

  #clientOptions(): NodeConnectionOptions {
    const { user, password, token } = this.#options;
    return {
      servers: [...this.#options.servers],
      ...(user ? { user, pass: password ?? '' } : {}),
      ...(token ? { token } : {}),
      timeout: this.#options.connectTimeoutMs ?? 10_000,
      pingInterval: this.#options.pingIntervalMs ?? 5000,
      maxPingOut: 2,
      noEcho: true,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectDelayHandler: () => backoffMs(this.#attempt++),
      name: 'meshpush',
    };
  }

  #subscribeOn(client: NatsClient | undefined, subject: string): Subscription | undefined {
    if (client === undefined || client.isClosed()) return undefined;
    // A callback, not an async iterator: messages of every subject are handled in arrival order.
    return client.subscribe(subject, {
      callback: (error, msg) => {
        if (error === null) this.#events?.message(msg.subject, msg.data);
      },
    });
  }

  async #watch(client: NatsClient): Promise<void> {
    for await (const status of client.status()) {
      if (client !== this.#client) return;
      if (status.type === 'disconnect') this.#setDisconnected(`disconnected from ${status.server}`);
      else if (status.type === 'error') this.#reason = describeNatsError(status.error);
      else if (status.type === 'reconnect') {
        this.#attempt = 0;
        await client.flush().catch(() => undefined);
        if (client === this.#client && !client.isClosed()) this.#setConnected();
      }
    }
  }

  #onClosed(client: NatsClient, error: void | Error): void {
    if (this.#closing || client !== this.#client) return;
    this.#client = undefined;
    this.#setDisconnected(error ? describeNatsError(error) : 'the NATS client closed');
    this.#reopenLater();
  }

  #reopenLater(): void {
    const timer = setTimeout(() => {
      if (this.#closing) return;
      this.#connect().catch((error: unknown) => {
        this.#reason = describeNatsError(error);
        this.#reopenLater();
      });
    }, backoffMs(this.#attempt++));
    timer.unref();
  }

  #setConnected(): void {
    this.#state = 'connected';
    this.#reason = undefined;
    this.#events?.connected();
  }

  #setDisconnected(reason: string): void {
    if (this.#state === 'connected') this.#disconnects++;
    this.#state = 'disconnected';
    this.#reason = reason;
    this.#events?.disconnected(reason);
  }

  #endpoint(): string {
    return this.#options.servers.join(',');
  }
}

/** One line for a NATS client error, with a hint for the usual operator mistakes. */
export function describeNatsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/authorization|authentication|auth/i.test(message)) {
    return `${message} (check ADAPTER_NATS_USER / ADAPTER_NATS_PASSWORD / ADAPTER_NATS_TOKEN)`;
  }
  if (/ECONNREFUSED|CONNECTION_REFUSED|connection refused/i.test(message))
    return `${message} (is nats-server running there?)`;
  return message;
}
