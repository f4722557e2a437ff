/** What a broker connection tells its transport. */
export interface BrokerConnectionEvents {
  /** A message on a subscribed broker subject. */
  message(subject: string, data: Uint8Array): void;
  /**
   * The connection is usable: connected, every subscription active at the broker. Called again
   * after each reconnect, once the subscriptions are restored.
   */
  connected(): void;
  /** The connection broke; the client reconnects with backoff on its own. */
  disconnected(reason: string): void;
}

/** Connection state, as `/cluster` shows it. */
export interface BrokerConnectionStatus {
  /** `nats` or `redis`. */
  readonly driver: string;
  /** Where it connects (no credentials). */
  readonly endpoint: string;
  readonly state: 'connecting' | 'connected' | 'disconnected' | 'closed';
  /** Why it is not connected; undefined while connected. */
  readonly reason: string | undefined;
  /** Connections lost since start. */
  readonly disconnects: number;
  /** Messages dropped because the connection was down or refused them. */
  readonly droppedPublishes: number;
  /** Largest message the broker accepts in one piece, in bytes. */
  readonly maxPayloadBytes: number;
}

/**
 * A pub/sub connection to a broker, as a broker transport needs it: subjects are opaque strings
 * the transport has already mapped to the broker's naming rules. Subscribing twice to one subject
 * is the transport's bug, not the connection's: the transport reference-counts.
 */
export interface BrokerConnection {
  /** Connects for the first time; rejects with a message an operator understands (wrong credentials…). */
  open(events: BrokerConnectionEvents): Promise<void>;
  /** Starts receiving `subject` (kept across reconnects). */
  subscribe(subject: string): void;
  /** Stops receiving `subject`. */
  unsubscribe(subject: string): void;
  /**
   * Settles once every `subscribe` made before the call is active at the broker, or at once
   * while disconnected (the reconnect restores subscriptions and peers resync). Never rejects.
   */
  subscriptionsActive(): Promise<void>;
  /** Sends when connected; drops and counts otherwise (peers resync after a reconnect anyway). */
  publish(subject: string, data: Uint8Array): void;
  /** Connection state, its reason, and the loss counters, for `/cluster` and metrics. */
  status(): BrokerConnectionStatus;
  /** Largest message the broker accepts in one piece (read on every send: cheap). */
  maxPayloadBytes(): number;
  /** Flushes what was published and closes. */
  close(): Promise<void>;
}

/** Delays between reconnect attempts: doubling from `initialMs`, capped, with ±20 % jitter. */
export function backoffMs(attempt: number, initialMs = 100, maxMs = 5000): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
