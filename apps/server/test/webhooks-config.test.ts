import test from 'ava';
import { defaultWebhooksConfig } from '@meshpush/pusher-server';
import { resolveConfig } from '../src/config/resolve.js';
import { readyLine } from '../src/start.js';

test("webhook settings: soketi's batching names, meshpush's own, config-file keys, defaults", (t) => {
  t.deepEqual(resolveConfig({}).server.webhooks, defaultWebhooksConfig());
  const fromEnv = resolveConfig({
    env: {
      SOKETI_WEBHOOKS_BATCHING: 'true',
      WEBHOOKS_BATCHING_DURATION: '120',
      WEBHOOKS_LEAVE_DELAY_MS: '0',
      WEBHOOKS_RETRY_FOR_MS: '60000',
    },
  });
  t.like(fromEnv.server.webhooks, { batching: true, batchingDurationMs: 120, leaveDelayMs: 0, retryForMs: 60_000 });
  t.deepEqual(fromEnv.warnings, []);
  const fromFile = resolveConfig({
    file: {
      path: 'meshpush.json',
      content: { 'webhooks.batching.enabled': true, webhooks: { maxQueuedEvents: 50, retry: { initialDelayMs: 10 } } },
    },
  });
  t.like(fromFile.server.webhooks, { batching: true, maxQueuedEvents: 50, retryInitialDelayMs: 10 });
});

test('bad webhook settings stop the start with the name of the setting', (t) => {
  t.throws(() => resolveConfig({ env: { WEBHOOKS_BATCHING: 'maybe' } }), { message: /WEBHOOKS_BATCHING.*true, false/ });
  t.throws(() => resolveConfig({ env: { WEBHOOKS_MAX_QUEUED_EVENTS: '0' } }), {
    message: /WEBHOOKS_MAX_QUEUED_EVENTS/,
  });
});

test('the ready line names the metrics port only when metrics are on', (t) => {
  t.is(readyLine(6001, 7), 'meshpush ready {"port":6001,"pid":7}');
  t.is(readyLine(6001, 7, 9601), 'meshpush ready {"port":6001,"pid":7,"metricsPort":9601}');
});
