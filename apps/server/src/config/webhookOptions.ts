import { setting, type SettingOption } from './options.js';
import { parseBoolean, parseCount, parsePositive } from './parsers.js';

/** Batching, retries and the bounded queue of webhook deliveries (soketi's names where it has them). */
export const webhookOptions: SettingOption[] = [
  setting({
    env: 'WEBHOOKS_BATCHING',
    key: 'webhooks.batching.enabled',
    target: 'server.webhooks.batching',
    parse: parseBoolean,
    doc: 'send the events of one webhook within the batching window in one request',
  }),
  setting({
    env: 'WEBHOOKS_BATCHING_DURATION',
    key: 'webhooks.batching.duration',
    target: 'server.webhooks.batchingDurationMs',
    parse: parsePositive,
    doc: 'webhook batching window (ms)',
  }),
  setting({
    env: 'WEBHOOKS_BATCH_MAX_EVENTS',
    key: 'webhooks.batching.maxEvents',
    target: 'server.webhooks.batchMaxEvents',
    parse: parsePositive,
    doc: 'most events in one batched webhook request',
  }),
  setting({
    env: 'WEBHOOKS_LEAVE_DELAY_MS',
    key: 'webhooks.leaveDelayMs',
    target: 'server.webhooks.leaveDelayMs',
    parse: parseCount,
    doc: 'ms channel_vacated / member_removed wait (not sent if back within it); 0 = at once',
  }),
  setting({
    env: 'WEBHOOKS_TIMEOUT_MS',
    key: 'webhooks.timeoutMs',
    target: 'server.webhooks.timeoutMs',
    parse: parsePositive,
    doc: 'timeout of one webhook request (ms)',
  }),
  setting({
    env: 'WEBHOOKS_RETRY_INITIAL_DELAY_MS',
    key: 'webhooks.retry.initialDelayMs',
    target: 'server.webhooks.retryInitialDelayMs',
    parse: parsePositive,
    doc: 'first retry of a failed webhook after this long (ms), doubling',
  }),
  setting({
    env: 'WEBHOOKS_RETRY_MAX_DELAY_MS',
    key: 'webhooks.retry.maxDelayMs',
    target: 'server.webhooks.retryMaxDelayMs',
    parse: parsePositive,
    doc: 'longest wait between webhook retries (ms)',
  }),
  setting({
    env: 'WEBHOOKS_RETRY_FOR_MS',
    key: 'webhooks.retry.forMs',
    target: 'server.webhooks.retryForMs',
    parse: parseCount,
    doc: 'give up on a webhook still failing this long after its first attempt (ms)',
  }),
  setting({
    env: 'WEBHOOKS_MAX_QUEUED_EVENTS',
    key: 'webhooks.maxQueuedEvents',
    target: 'server.webhooks.maxQueuedEvents',
    parse: parsePositive,
    doc: 'webhook events held at most; more are dropped and counted',
  }),
  setting({
    env: 'WEBHOOKS_MAX_CONCURRENT_REQUESTS',
    key: 'webhooks.maxConcurrentRequests',
    target: 'server.webhooks.maxConcurrentRequests',
    parse: parsePositive,
    doc: 'webhook requests in flight at once',
  }),
];
