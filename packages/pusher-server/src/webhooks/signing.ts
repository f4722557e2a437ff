import type { App, WebhookConfig } from '../app-manager/App.js';
import { hmacSha256Hex } from '../protocol/signatures.js';
import type { WebhookBody, WebhookEvent } from './WebhookEvent.js';
import type { WebhookRequest } from './WebhookSender.js';

/** Headers meshpush sets itself; a webhook's own headers of these names (any case) are ignored. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'x-pusher-key', 'x-pusher-signature']);

/**
 * Builds the request for a batch of events: the body is serialised once and signed with the
 * app secret (HMAC-SHA256 hex of the raw body). The webhook's own headers are added, but never
 * the content type or the signature that `pusher.webhook().isValid()` checks.
 */
export function buildWebhookRequest(
  app: App,
  webhook: WebhookConfig,
  events: readonly WebhookEvent[],
  timeMs: number,
  timeoutMs: number,
): WebhookRequest {
  const body: WebhookBody = { time_ms: timeMs, events };
  const raw = JSON.stringify(body);
  return {
    url: webhook.url,
    headers: {
      ...customHeaders(webhook),
      // Exactly this value: the pusher SDK refuses `application/json; charset=utf-8`.
      'Content-Type': 'application/json',
      'X-Pusher-Key': app.key,
      'X-Pusher-Signature': hmacSha256Hex(app.secret, raw),
    },
    body: raw,
    timeoutMs,
  };
}

function customHeaders(webhook: WebhookConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(webhook.headers ?? {})) {
    if (!RESERVED_HEADERS.has(name.toLowerCase())) headers[name] = value;
  }
  return headers;
}
