// The webhook receiver lives in @meshpush/test-support; it is re-exported for the webhooks-heal
// files that import it from here.
export { startReceiver, summary, type WebhookReceiver } from '@meshpush/test-support';

/** The environment that points the default app's webhooks at `hooks` (JSON, as soketi reads it). */
export function webhookEnv(hooks: readonly object[], extra: Record<string, string> = {}): Record<string, string> {
  return { DEFAULT_APP_WEBHOOKS: JSON.stringify(hooks), ...extra };
}
