import type { WebhookPoster, WebhookRequest } from './WebhookSender.js';

/** POSTs with Node's fetch, bounded by the request timeout; redirects count as failures. */
export const fetchPoster: WebhookPoster = async (request: WebhookRequest) => {
  const response = await fetch(request.url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(request.timeoutMs),
  });
  // The body is not needed; cancelling it returns the connection to the pool.
  await response.body?.cancel().catch(() => undefined);
  return response.status;
};
