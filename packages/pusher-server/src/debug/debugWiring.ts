import type { Adapter } from '../adapter/Adapter.js';
import type { AppManager } from '../app-manager/AppManager.js';
import type { ServerConfig } from '../config/ServerConfig.js';
import type { EventPublisher } from '../http/HttpApiContext.js';
import type { ExtraRoute } from '../metrics/MetricsServer.js';
import type { Logger } from '../util/Logger.js';
import { silentWebhookObserver, type WebhookObserver } from '../webhooks/WebhookSender.js';
import { DebugConsole } from './console/DebugConsole.js';
import { DebugRelay } from './DebugRelay.js';
import { DebugTap } from './DebugTap.js';

/**
 * The webhook observer plus a `webhook_sent` record per attempt. Every node gets a tap and a
 * relay, even with its own console off, so a console on any node sees the whole cluster.
 */
export function debugWebhookObserver(inner: WebhookObserver | undefined, tap: DebugTap): WebhookObserver {
  const base = inner ?? silentWebhookObserver;
  return {
    delivered: (appId, events) => base.delivered(appId, events),
    failed: (appId) => base.failed(appId),
    dropped: (appId, events, reason) => base.dropped(appId, events, reason),
    attempted: (appId, delivery, status) => {
      if (!tap.on) return;
      const { names, channel, attempts } = delivery;
      tap.record(appId, { kind: 'webhook_sent', event: names, channel, status, attempt: attempts });
    },
  };
}

/** The relay over the adapter's transport (cluster drivers); undefined on one node. */
export function startDebugRelay(adapter: Adapter, tap: DebugTap): DebugRelay | undefined {
  if (!adapter.transport) return undefined;
  const relay = new DebugRelay(adapter.transport, tap);
  relay.start();
  return relay;
}

export interface DebugConsoleDeps {
  readonly config: ServerConfig;
  readonly tap: DebugTap;
  readonly adapter: Adapter;
  readonly apps: AppManager;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  readonly nowMs: () => number;
  /** Apps with sockets on this node. */
  connectedAppIds(): Set<string>;
}

/** The console when enabled: its route for the metrics listener, and its `close`. */
export function createDebugConsole(deps: DebugConsoleDeps): { route: ExtraRoute; close(): void } | undefined {
  const { config } = deps;
  if (!config.debugConsole.enabled) return undefined;
  const debugConsole = new DebugConsole({
    ...deps,
    config: config.debugConsole,
    // Configured apps, a database's apps (when its manager can list them), and apps with sockets here.
    listAppIds: async () => {
      const stored = (await deps.apps.listIds?.().catch(() => [])) ?? [];
      return [...new Set([...config.apps.map((app) => app.id), ...stored, ...deps.connectedAppIds()])];
    },
  });
  deps.logger.info('debug console enabled on the metrics listener', { path: '/console/' });
  return { route: (req, res, pathname) => debugConsole.handle(req, res, pathname), close: () => debugConsole.close() };
}

export function createDebugTap(adapter: Adapter, nowMs: () => number): DebugTap {
  return new DebugTap({ nodeId: adapter.nodeId, nowMs });
}
