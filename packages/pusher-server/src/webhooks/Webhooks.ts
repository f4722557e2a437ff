import type { PeerChange } from '../adapter/Adapter.js';
import type { App } from '../app-manager/App.js';
import type { AppManager } from '../app-manager/AppManager.js';
import type { WebhooksConfig } from '../config/ServerConfig.js';
import { channelType } from '../protocol/channels.js';
import type { Logger } from '../util/Logger.js';
import { DelayedActions } from './DelayedActions.js';
import { GoneAnnouncements } from './GoneAnnouncements.js';
import { rendezvousWinner } from './rendezvous.js';
import type { Timers } from './Timers.js';
import type { WebhookEvent, WebhookEventName } from './WebhookEvent.js';
import { appWants, webhookWants } from './webhookFilter.js';
import { WebhookQueue } from './WebhookQueue.js';
import type { WebhookHooks, WebhookObserver, WebhookPoster } from './WebhookSender.js';

/** What the webhooks need to know about the cluster (the `Adapter` provides it). */
export interface WebhookCluster {
  /** This node's id. */
  readonly nodeId: string;
  /** This node and every peer that is up: the candidates to send a channel's webhooks. */
  liveNodeIds(): readonly string[];
  /** Set while the transitions reported come from a peer's snapshot or departure, not from a socket. */
  readonly peerChange: PeerChange | undefined;
}

export interface WebhooksOptions {
  readonly cluster: WebhookCluster;
  readonly apps: Pick<AppManager, 'findById'>;
  readonly config: WebhooksConfig;
  readonly post: WebhookPoster;
  readonly timers: Timers;
  /** Wall clock for `time_ms`. */
  readonly wallClockMs: () => number;
  readonly logger: Logger;
  readonly observer: WebhookObserver;
}

const OCCUPANCY: readonly WebhookEventName[] = ['channel_occupied', 'channel_vacated'];
const MEMBERSHIP: readonly WebhookEventName[] = ['member_added', 'member_removed'];
const SEP = '\u0000';

/**
 * Turns protocol transitions into webhook events, exactly once per cluster:
 *
 * - Every node hears every channel and member transition (each keeps a replica of the whole
 *   cluster), and only the rendezvous winner among the live nodes for the app and channel sends.
 * - `channel_vacated` and `member_removed` wait `leaveDelayMs` on every node and are dropped when
 *   the channel or user is back in time (then the arrival is not sent either). The sender is
 *   chosen when the delay ends, so if the chosen node died meanwhile, a survivor sends.
 * - Transitions from a peer's snapshot are not announced (the cluster already had that state),
 *   but they do cancel pending leaves, with one exception: what this node announced gone because
 *   that peer departed, and the peer's return brings back, is announced again (a healed
 *   partition, a paused process resumed), so the app sees the same transitions as the sockets.
 * - A node cut off from its broker drops every peer, though they did not leave: nothing of that
 *   is announced; the nodes that stayed connected announce what really left.
 * - Client events and cache misses happen on one node, the node of the socket, which sends them.
 */
export class Webhooks implements WebhookHooks {
  readonly #options: WebhooksOptions;
  readonly #queue: WebhookQueue;
  readonly #leaves: DelayedActions;
  readonly #counts = new Map<string, { app: App; channel: string; count: number }>();
  readonly #gone = new GoneAnnouncements();
  #handedOver = false;

  constructor(options: WebhooksOptions) {
    this.#options = options;
    this.#queue = new WebhookQueue(options);
    const onError = (error: unknown): void =>
      options.logger.error('webhook leave delay failed', { error: String(error) });
    this.#leaves = new DelayedActions(
      options.timers,
      options.config.leaveDelayMs,
      options.config.maxQueuedEvents,
      onError,
    );
  }

  /** Events waiting for delivery (batching, in flight, retrying). */
  get queuedEvents(): number {
    return this.#queue.queuedEvents;
  }

  /** `channel_vacated` / `member_removed` events inside their delay. */
  get delayedEvents(): number {
    return this.#leaves.size;
  }

  channelOccupied(appId: string, channel: string): void {
    const change = this.#options.cluster.peerChange;
    this.#withApp(appId, (app) => this.#arrived(app, OCCUPANCY, { name: 'channel_occupied', channel }, change));
  }

  channelVacated(appId: string, channel: string): void {
    const change = this.#options.cluster.peerChange;
    if (change && change.kind !== 'departure') return;
    this.#withApp(appId, (app) => this.#left(app, OCCUPANCY, { name: 'channel_vacated', channel }, change));
  }

  memberAdded(appId: string, channel: string, userId: string): void {
    const change = this.#options.cluster.peerChange;
    this.#withApp(appId, (app) =>
      this.#arrived(app, MEMBERSHIP, { name: 'member_added', channel, user_id: userId }, change),
    );
  }

  memberRemoved(appId: string, channel: string, userId: string): void {
    const change = this.#options.cluster.peerChange;
    if (change && change.kind !== 'departure') return;
    this.#withApp(appId, (app) =>
      this.#left(app, MEMBERSHIP, { name: 'member_removed', channel, user_id: userId }, change),
    );
  }

  /** A departure starts afresh; a return has announced back all it brought. */
  peerStateChanged(change: PeerChange): void {
    if (change.kind !== 'cut-off') this.#gone.forget(change.peer);
  }

  /** Coalesced per tick, like the client event: a burst of joins becomes one webhook. */
  subscriptionCountChanged(appId: string, channel: string, count: number): void {
    const change = this.#options.cluster.peerChange;
    if ((change && change.kind !== 'departure') || channelType(channel) === 'presence') return;
    this.#withApp(appId, (app) => {
      if (!app.enableSubscriptionCount || !appWants(app, ['subscription_count'], channel)) return;
      const key = appId + SEP + channel;
      if (!this.#counts.has(key)) queueMicrotask(() => this.#flushCount(key));
      this.#counts.set(key, { app, channel, count });
    });
  }

  clientEvent(app: App, channel: string, event: string, data: unknown, socketId: string, userId?: string): void {
    if (!appWants(app, ['client_event'], channel)) return;
    const text = typeof data === 'string' ? data : JSON.stringify(data ?? null);
    const base = { name: 'client_event', channel, event, data: text, socket_id: socketId } as const;
    this.#send(app, userId === undefined ? base : { ...base, user_id: userId });
  }

  cacheMiss(app: App, channel: string): void {
    if (appWants(app, ['cache_miss'], channel)) this.#send(app, { name: 'cache_miss', channel });
  }

  /**
   * Before this node leaves the cluster: the peers hold the same pending leaves and will choose
   * a sender among themselves when the delay ends, so they are dropped here, unless no peer is
   * left, in which case they are sent now. Later leaves are treated the same way, at once.
   */
  handOver(): void {
    this.#handedOver = true;
    const pending = this.#leaves.takeAll();
    if (this.#alone()) for (const send of pending) send();
  }

  /** Sends what is queued; resolves when done or at `timeoutMs` (the rest is dropped). */
  drain(timeoutMs: number): Promise<void> {
    return this.#queue.drain(timeoutMs);
  }

  #arrived(app: App, names: readonly WebhookEventName[], event: WebhookEvent, change: PeerChange | undefined): void {
    if (!appWants(app, names, event.channel)) return;
    const key = leaveKey(app, event);
    // Back within the delay: as far as the app can tell, it never left.
    if (this.#leaves.cancel(key)) return;
    if (change === undefined) this.#sendIfOwner(app, event);
    else if (change.kind === 'snapshot' && this.#gone.takeBack(change.peer, key)) this.#send(app, event);
  }

  #left(app: App, names: readonly WebhookEventName[], event: WebhookEvent, change: PeerChange | undefined): void {
    if (!appWants(app, names, event.channel)) return;
    const key = leaveKey(app, event);
    const departed = change?.peer;
    const send = (): void => {
      if (this.#sendIfOwner(app, event) && departed !== undefined) this.#gone.remember(departed, key);
    };
    if (this.#handedOver) {
      if (this.#alone()) send();
      return;
    }
    // A full delay queue degrades to sending at once rather than losing the event.
    if (this.#options.config.leaveDelayMs === 0 || !this.#leaves.add(key, send)) send();
  }

  #alone(): boolean {
    const { cluster } = this.#options;
    return cluster.liveNodeIds().every((nodeId) => nodeId === cluster.nodeId);
  }

  #flushCount(key: string): void {
    const pending = this.#counts.get(key);
    this.#counts.delete(key);
    if (!pending) return;
    this.#sendIfOwner(pending.app, {
      name: 'subscription_count',
      channel: pending.channel,
      subscription_count: pending.count,
    });
  }

  /** Sends when this node is the channel's sender among the live nodes; says whether it did. */
  #sendIfOwner(app: App, event: WebhookEvent): boolean {
    if (!this.#isOwner(app.id, event.channel)) return false;
    this.#send(app, event);
    return true;
  }

  #isOwner(appId: string, channel: string): boolean {
    const { cluster } = this.#options;
    const nodes = cluster.liveNodeIds();
    if (nodes.length <= 1) return true;
    return rendezvousWinner(nodes, appId + SEP + channel) === cluster.nodeId;
  }

  #send(app: App, event: WebhookEvent): void {
    app.webhooks.forEach((webhook, index) => {
      if (webhookWants(webhook, event.name, event.channel)) this.#queue.push(app, webhook, app.id + SEP + index, event);
    });
  }

  #withApp(appId: string, use: (app: App) => void): void {
    let found: ReturnType<AppManager['findById']>;
    try {
      found = this.#options.apps.findById(appId);
    } catch (error) {
      this.#lookupFailed(appId, error);
      return;
    }
    if (!(found instanceof Promise)) {
      if (found) use(found);
      return;
    }
    void found.then((app) => app && use(app)).catch((error: unknown) => this.#lookupFailed(appId, error));
  }

  #lookupFailed(appId: string, error: unknown): void {
    this.#options.logger.error('webhooks: app lookup failed', { appId, error: String(error) });
  }
}

/** Pending leaves are keyed by what comes back: the channel, or the user in the channel. */
function leaveKey(app: App, event: WebhookEvent): string {
  const user = 'user_id' in event && event.user_id !== undefined ? SEP + event.user_id : '';
  const kind = user === '' ? 'channel' : 'member';
  return kind + SEP + app.id + SEP + event.channel + user;
}
