import type { App, WebhookConfig } from '../app-manager/App.js';
import type { WebhookEventName } from './WebhookEvent.js';

/**
 * Whether a webhook asks for an event on a channel: its `event_types` (all when absent or empty,
 * as in soketi) and its channel-name filters (prefix and suffix, both when both are set).
 */
export function webhookWants(webhook: WebhookConfig, name: WebhookEventName, channel: string): boolean {
  const types = webhook.event_types;
  if (types && types.length > 0 && !types.includes(name)) return false;
  const filter = webhook.filter;
  if (!filter) return true;
  const { channel_name_starts_with: prefix, channel_name_ends_with: suffix } = filter;
  if (prefix && !channel.startsWith(prefix)) return false;
  if (suffix && !channel.endsWith(suffix)) return false;
  return true;
}

/** Whether any webhook of the app asks for any of `names` on the channel. */
export function appWants(app: App, names: readonly WebhookEventName[], channel: string): boolean {
  for (const webhook of app.webhooks) {
    for (const name of names) if (webhookWants(webhook, name, channel)) return true;
  }
  return false;
}
