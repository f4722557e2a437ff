import { resolveApp, type App, type AppConfig } from '../src/app-manager/App.js';
import { defaultLimits, defaultWebhooksConfig, type WebhooksConfig } from '../src/config/ServerConfig.js';
import type { LogFields, Logger } from '../src/util/Logger.js';
import type { TimerHandle, Timers } from '../src/webhooks/Timers.js';
import type { PeerChange } from '../src/adapter/Adapter.js';
import type { WebhookCluster } from '../src/webhooks/Webhooks.js';
import { Webhooks } from '../src/webhooks/Webhooks.js';
import type { WebhookBody } from '../src/webhooks/WebhookEvent.js';
import type { WebhookDropReason, WebhookObserver, WebhookRequest } from '../src/webhooks/WebhookSender.js';

/** A clock that moves only when told to, running due timers in order. */
export class ManualTimers implements Timers {
  now = 1000;
  #nextId = 1;
  readonly #timers = new Map<number, { dueMs: number; callback: () => void }>();

  nowMs(): number {
    return this.now;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { dueMs: this.now + delayMs, callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Moves the clock forward by `ms`, running every timer that falls due (timers they set too). */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      await settle();
      const next = this.#earliest();
      if (!next || next[1].dueMs > target) break;
      this.#timers.delete(next[0]);
      this.now = next[1].dueMs;
      next[1].callback();
    }
    this.now = target;
    await settle();
  }

  #earliest(): [number, { dueMs: number; callback: () => void }] | undefined {
    let best: [number, { dueMs: number; callback: () => void }] | undefined;
    for (const entry of this.#timers) if (!best || entry[1].dueMs < best[1].dueMs) best = entry;
    return best;
  }
}

/** Lets pending promise callbacks and microtasks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A webhook receiver in memory: records requests, answers with scripted statuses (default 200). */
export class FakeReceiver {
  readonly requests: WebhookRequest[] = [];
  /** Statuses for the next attempts, in order; a string rejects with that message; 'hang' never settles. */
  readonly script: Array<number | string> = [];
  inFlight = 0;

  readonly post = (request: WebhookRequest): Promise<number> => {
    this.requests.push(request);
    const next = this.script.shift() ?? 200;
    if (next === 'hang') {
      this.inFlight++;
      return new Promise<number>(() => undefined);
    }
    return typeof next === 'number' ? Promise.resolve(next) : Promise.reject(new Error(next));
  };

  bodies(): WebhookBody[] {
    return this.requests.map((request) => JSON.parse(request.body) as WebhookBody);
  }

  /** Every event of every request, as `name:channel[:user]`. */
  events(): string[] {
    return this.bodies().flatMap((body) =>
      body.events.map((e) =>
        [e.name, e.channel, 'user_id' in e ? e.user_id : undefined].filter((p) => p !== undefined).join(':'),
      ),
    );
  }
}

export class RecordingObserver implements WebhookObserver {
  delivered_ = 0;
  failed_ = 0;
  readonly drops: Partial<Record<WebhookDropReason, number>> = {};

  delivered(_appId: string, events: number): void {
    this.delivered_ += events;
  }

  failed(): void {
    this.failed_++;
  }

  dropped(_appId: string, events: number, reason: WebhookDropReason): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + events;
  }
}

export class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; message: string; fields?: LogFields }> = [];
  debug(): void {}
  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, ...(fields ? { fields } : {}) });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, ...(fields ? { fields } : {}) });
  }
}

/** A cluster seen from one node, whose membership the test changes at will. */
export class FakeCluster implements WebhookCluster {
  readonly nodeId: string;
  nodes: string[];
  peerChange: PeerChange | undefined = undefined;

  constructor(nodeId: string, nodes: string[] = [nodeId]) {
    this.nodeId = nodeId;
    this.nodes = nodes;
  }

  liveNodeIds(): readonly string[] {
    return this.nodes;
  }
}

export function testApp(config: Partial<AppConfig> = {}): App {
  return resolveApp(
    { id: 'app-id', key: 'app-key', secret: 'app-secret', webhooks: [{ url: 'http://hooks.test/a' }], ...config },
    defaultLimits,
  );
}

export interface WebhooksHarness<C extends WebhookCluster = FakeCluster> {
  readonly webhooks: Webhooks;
  readonly timers: ManualTimers;
  readonly receiver: FakeReceiver;
  readonly observer: RecordingObserver;
  readonly logger: RecordingLogger;
  readonly cluster: C;
  readonly app: App;
}

/** A `Webhooks` over a fake receiver and a manual clock; no network. */
export function webhooksHarness<C extends WebhookCluster = FakeCluster>(
  options: {
    app?: App;
    config?: Partial<WebhooksConfig>;
    cluster?: C;
    timers?: ManualTimers;
    receiver?: FakeReceiver;
  } = {},
): WebhooksHarness<C> {
  const app = options.app ?? testApp();
  const timers = options.timers ?? new ManualTimers();
  const receiver = options.receiver ?? new FakeReceiver();
  const observer = new RecordingObserver();
  const logger = new RecordingLogger();
  const cluster = options.cluster ?? (new FakeCluster('local') as unknown as C);
  const webhooks = new Webhooks({
    cluster,
    apps: { findById: (id) => (id === app.id ? app : undefined) },
    config: { ...defaultWebhooksConfig(), ...options.config },
    post: receiver.post,
    timers,
    wallClockMs: () => 1_700_000_000_000,
    logger,
    observer,
  });
  return { webhooks, timers, receiver, observer, logger, cluster, app };
}
