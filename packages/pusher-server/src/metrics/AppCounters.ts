import type { WebhookDropReason } from '../webhooks/WebhookSender.js';
import { family, type MetricFamily, type MetricType } from './exposition.js';

/**
 * One app's counters on this process. The hot path only increments these plain numbers; the
 * Prometheus text is built from them when `/metrics` is scraped.
 */
export class AppCounters {
  /** Open WebSocket connections. */
  connected = 0;
  newConnections = 0;
  disconnections = 0;
  /** WebSocket payload bytes and messages, framing excluded. */
  wsBytesReceived = 0;
  wsBytesSent = 0;
  wsMessagesReceived = 0;
  wsMessagesSent = 0;
  /** HTTP API calls, request bodies and response bodies. */
  httpCalls = 0;
  httpBytesReceived = 0;
  httpBytesSent = 0;
  webhookRequestsSent = 0;
  webhookEventsSent = 0;
  webhookFailures = 0;
  readonly webhookDrops: Record<WebhookDropReason, number> = { queue_full: 0, retries_exhausted: 0, shutdown: 0 };
  /** Rejections by limit name (`backend_events`, `client_events`, `read_requests`, …). */
  readonly rateLimited = new Map<string, number>();

  /** Counts a frame fanned out to `receivers` sockets (a topic publish). */
  fanout(receivers: number, frame: string): void {
    if (receivers <= 0) return;
    this.wsMessagesSent += receivers;
    this.wsBytesSent += receivers * Buffer.byteLength(frame);
  }
}

interface AppMetric {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly read: (counters: AppCounters) => number;
}

/** soketi's names first (so its dashboards keep working), then meshpush's own. */
const APP_METRICS: readonly AppMetric[] = [
  { name: 'connected', type: 'gauge', help: 'Open WebSocket connections.', read: (c) => c.connected },
  {
    name: 'new_connections_total',
    type: 'counter',
    help: 'WebSocket connections opened.',
    read: (c) => c.newConnections,
  },
  {
    name: 'new_disconnections_total',
    type: 'counter',
    help: 'WebSocket connections closed.',
    read: (c) => c.disconnections,
  },
  {
    name: 'socket_received_bytes',
    type: 'counter',
    help: 'WebSocket payload bytes received.',
    read: (c) => c.wsBytesReceived,
  },
  {
    name: 'socket_transmitted_bytes',
    type: 'counter',
    help: 'WebSocket payload bytes sent (fan-out counted per receiving socket).',
    read: (c) => c.wsBytesSent,
  },
  {
    name: 'ws_messages_received',
    type: 'counter',
    help: 'WebSocket messages received.',
    read: (c) => c.wsMessagesReceived,
  },
  {
    name: 'ws_messages_sent',
    type: 'counter',
    help: 'WebSocket messages sent (fan-out counted per receiving socket).',
    read: (c) => c.wsMessagesSent,
  },
  {
    name: 'http_received_bytes',
    type: 'counter',
    help: 'HTTP API request body bytes received.',
    read: (c) => c.httpBytesReceived,
  },
  {
    name: 'http_transmitted_bytes',
    type: 'counter',
    help: 'HTTP API response body bytes sent.',
    read: (c) => c.httpBytesSent,
  },
  { name: 'http_calls_received_total', type: 'counter', help: 'HTTP API calls received.', read: (c) => c.httpCalls },
  {
    name: 'webhook_requests_sent_total',
    type: 'counter',
    help: 'Webhook requests answered with 2xx.',
    read: (c) => c.webhookRequestsSent,
  },
  {
    name: 'webhook_events_sent_total',
    type: 'counter',
    help: 'Webhook events delivered.',
    read: (c) => c.webhookEventsSent,
  },
  {
    name: 'webhook_request_failures_total',
    type: 'counter',
    help: 'Webhook attempts that failed (non-2xx, network error, timeout).',
    read: (c) => c.webhookFailures,
  },
];

/** Every per-app family, each sample labelled `app_id` and `port`. */
export function appFamilies(apps: ReadonlyMap<string, AppCounters>, port: string): MetricFamily[] {
  const entries = [...apps];
  const families = APP_METRICS.map((metric) =>
    family(
      metric.name,
      metric.type,
      metric.help,
      entries.map(([appId, c]) => ({ labels: { app_id: appId, port }, value: metric.read(c) })),
    ),
  );
  const drops = entries.flatMap(([appId, c]) =>
    Object.entries(c.webhookDrops).map(([reason, value]) => ({ labels: { app_id: appId, port, reason }, value })),
  );
  families.push(
    family(
      'webhook_events_dropped_total',
      'counter',
      'Webhook events given up, by reason (queue_full, retries_exhausted, shutdown).',
      drops,
    ),
  );
  const limited = entries.flatMap(([appId, c]) =>
    [...c.rateLimited].map(([limit, value]) => ({ labels: { app_id: appId, port, limit }, value })),
  );
  families.push(
    family(
      'rate_limit_rejections_total',
      'counter',
      'Requests and client events refused by a rate limit, by limit.',
      limited,
    ),
  );
  return families;
}
