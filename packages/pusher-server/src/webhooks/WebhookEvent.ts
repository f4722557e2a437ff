/** Every webhook event meshpush sends (PROTOCOL.md §3.9), in the order Pusher documents them. */
export const WEBHOOK_EVENT_NAMES = [
  'channel_occupied',
  'channel_vacated',
  'member_added',
  'member_removed',
  'client_event',
  'cache_miss',
  'subscription_count',
] as const;

/** One of Pusher's webhook event names (`channel_occupied`, `member_added`, …). */
export type WebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];

/** One entry of a webhook body's `events` array, with Pusher's field names. */
export type WebhookEvent =
  | { readonly name: 'channel_occupied' | 'channel_vacated' | 'cache_miss'; readonly channel: string }
  | { readonly name: 'member_added' | 'member_removed'; readonly channel: string; readonly user_id: string }
  | {
      readonly name: 'client_event';
      readonly channel: string;
      readonly event: string;
      /** The event's data as a string, as Pusher sends it (objects are JSON-encoded). */
      readonly data: string;
      readonly socket_id: string;
      /** Only on presence channels. */
      readonly user_id?: string;
    }
  | { readonly name: 'subscription_count'; readonly channel: string; readonly subscription_count: number };

/** The JSON body of one webhook request. */
export interface WebhookBody {
  readonly time_ms: number;
  readonly events: readonly WebhookEvent[];
}
