import test from 'ava';
import { createHmac } from 'node:crypto';
import { defaultWebhooksConfig, type WebhooksConfig } from '../src/config/ServerConfig.js';
import { WebhookQueue } from '../src/webhooks/WebhookQueue.js';
import type { WebhookEvent } from '../src/webhooks/WebhookEvent.js';
import { FakeReceiver, ManualTimers, RecordingLogger, RecordingObserver, settle, testApp } from './webhooks-support.js';

function queueHarness(config: Partial<WebhooksConfig> = {}) {
  const timers = new ManualTimers();
  const receiver = new FakeReceiver();
  const observer = new RecordingObserver();
  const logger = new RecordingLogger();
  const queue = new WebhookQueue({
    config: { ...defaultWebhooksConfig(), ...config },
    post: receiver.post,
    timers,
    wallClockMs: () => 1_700_000_000_000,
    logger,
    observer,
  });
  const app = testApp({
    webhooks: [{ url: 'http://hooks.test/a', headers: { Authorization: 'Bearer t', 'content-type': 'text/plain' } }],
  });
  const webhook = app.webhooks[0]!;
  const push = (channel: string): void =>
    queue.push(app, webhook, 'app-id:0', { name: 'channel_occupied', channel } satisfies WebhookEvent);
  return { timers, receiver, observer, logger, queue, app, push };
}

test('a request is signed over its raw body, with the exact content type and the app key', async (t) => {
  const { receiver, push } = queueHarness();
  push('room');
  await settle();
  const [request] = receiver.requests;
  t.truthy(request);
  t.is(request!.url, 'http://hooks.test/a');
  t.deepEqual(JSON.parse(request!.body), {
    time_ms: 1_700_000_000_000,
    events: [{ name: 'channel_occupied', channel: 'room' }],
  });
  t.is(request!.headers['Content-Type'], 'application/json');
  t.is(request!.headers['X-Pusher-Key'], 'app-key');
  t.is(request!.headers['X-Pusher-Signature'], createHmac('sha256', 'app-secret').update(request!.body).digest('hex'));
  // The webhook's own headers are sent, but cannot replace what the signature check relies on.
  t.is(request!.headers.Authorization, 'Bearer t');
  t.is(request!.headers['content-type'], undefined);
});

test('without batching, every event is its own request', async (t) => {
  const { receiver, push, observer } = queueHarness();
  push('a');
  push('b');
  await settle();
  t.is(receiver.requests.length, 2);
  t.is(observer.delivered_, 2);
});

test('with batching, events within the window share one request; a full batch leaves at once', async (t) => {
  const { receiver, push, timers } = queueHarness({ batching: true, batchingDurationMs: 50, batchMaxEvents: 3 });
  push('a');
  push('b');
  await settle();
  t.is(receiver.requests.length, 0, 'nothing before the window ends');
  await timers.advance(50);
  t.deepEqual(receiver.events(), ['channel_occupied:a', 'channel_occupied:b']);
  t.is(receiver.requests.length, 1);
  push('c');
  push('d');
  push('e');
  await settle();
  t.is(receiver.requests.length, 2, 'three events fill the batch');
  t.is(timers.pending, 0, 'the window timer of a full batch is cleared');
});

test('a failing receiver is retried with exponential backoff until it answers 2xx', async (t) => {
  const { receiver, push, timers, observer } = queueHarness({ retryInitialDelayMs: 100, retryMaxDelayMs: 1000 });
  receiver.script.push(500, 'ECONNREFUSED', 503);
  push('a');
  await settle();
  t.is(receiver.requests.length, 1);
  await timers.advance(99);
  t.is(receiver.requests.length, 1);
  await timers.advance(1);
  t.is(receiver.requests.length, 2, 'second attempt after 100 ms');
  await timers.advance(199);
  t.is(receiver.requests.length, 2);
  await timers.advance(1);
  t.is(receiver.requests.length, 3, 'third attempt 200 ms later');
  await timers.advance(400);
  t.is(receiver.requests.length, 4, 'fourth attempt 400 ms later');
  t.is(observer.failed_, 3);
  t.is(observer.delivered_, 1);
  t.is(receiver.requests[0]!.body, receiver.requests[3]!.body, 'a retry resends the same signed body');
});

test('a request still failing after retryForMs is dropped, counted and logged', async (t) => {
  const { receiver, push, timers, observer, logger, queue } = queueHarness({
    retryInitialDelayMs: 100,
    retryMaxDelayMs: 100,
    retryForMs: 350,
  });
  receiver.script.push(...Array<number>(10).fill(500));
  push('a');
  await timers.advance(1000);
  t.is(receiver.requests.length, 4, 'attempts at 0, 100, 200, 300 ms; the next would pass 350 ms');
  t.deepEqual(observer.drops, { retries_exhausted: 1 });
  t.is(queue.queuedEvents, 0);
  t.true(logger.lines.some((line) => line.message === 'webhook failed; giving up'));
});

test('the queue is bounded: events beyond maxQueuedEvents are dropped, counted, and logged once', async (t) => {
  const { receiver, push, observer, logger, queue } = queueHarness({ maxQueuedEvents: 2 });
  receiver.script.push('hang', 'hang');
  for (const channel of ['a', 'b', 'c', 'd', 'e']) push(channel);
  await settle();
  t.is(queue.queuedEvents, 2);
  t.deepEqual(observer.drops, { queue_full: 3 });
  t.is(logger.lines.filter((line) => line.message === 'webhook events dropped').length, 1);
});

test('at most maxConcurrentRequests requests are in flight', async (t) => {
  const { receiver, push } = queueHarness({ maxConcurrentRequests: 2 });
  receiver.script.push('hang', 'hang', 'hang');
  push('a');
  push('b');
  push('c');
  await settle();
  t.is(receiver.requests.length, 2);
});

test('drain sends open batches and retries at once, and resolves when all is delivered', async (t) => {
  const { receiver, push, timers, queue, observer } = queueHarness({
    batching: true,
    batchingDurationMs: 1000,
    retryInitialDelayMs: 10_000,
  });
  push('a');
  await timers.advance(1000);
  t.is(receiver.requests.length, 1);
  receiver.script.push(500);
  push('b');
  await timers.advance(1000);
  // 'a' was delivered; 'b' failed and waits 10 s for its retry; 'c' sits in an open batch.
  push('c');
  const drained = queue.drain(5000);
  await settle();
  await drained;
  t.deepEqual(receiver.events().slice(-2).sort(), ['channel_occupied:b', 'channel_occupied:c']);
  t.is(queue.queuedEvents, 0);
  t.is(observer.delivered_, 3);
});

test('drain gives up at its deadline and counts what is left as dropped at shutdown', async (t) => {
  const { receiver, push, timers, queue, observer } = queueHarness({ maxConcurrentRequests: 1 });
  receiver.script.push('hang');
  push('a');
  push('b');
  const drained = queue.drain(300);
  let done = false;
  void drained.then(() => (done = true));
  await timers.advance(299);
  t.false(done);
  await timers.advance(1);
  t.true(done);
  t.deepEqual(observer.drops, { shutdown: 1 }, 'b never left; a is still in flight and may yet succeed');
  push('late');
  t.deepEqual(observer.drops, { shutdown: 2 }, 'nothing is queued after the deadline');
});
