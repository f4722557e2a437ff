import test from 'ava';
import { AppCounters, appFamilies } from '../src/metrics/AppCounters.js';
import { family, formatValue, renderJson, renderText, single } from '../src/metrics/exposition.js';
import { meshFamilies } from '../src/metrics/meshMetrics.js';
import { ServerMetrics } from '../src/metrics/ServerMetrics.js';

test('text format: HELP and TYPE per family, one line per sample, label values and help escaped', (t) => {
  const text = renderText(
    [
      family('hits_total', 'counter', 'Hits with a \\ and a\nnewline.', [
        { labels: { app_id: 'a"b', port: '6001' }, value: 3 },
        { labels: { app_id: 'c\\d\ne', port: '6001' }, value: 0.5 },
      ]),
      single('up', 'gauge', 'Up.', 1),
    ],
    'meshpush_',
  );
  t.is(
    text,
    [
      '# HELP meshpush_hits_total Hits with a \\\\ and a\\nnewline.',
      '# TYPE meshpush_hits_total counter',
      'meshpush_hits_total{app_id="a\\"b",port="6001"} 3',
      'meshpush_hits_total{app_id="c\\\\d\\ne",port="6001"} 0.5',
      '# HELP meshpush_up Up.',
      '# TYPE meshpush_up gauge',
      'meshpush_up 1',
      '',
    ].join('\n'),
  );
});

test('special values use the spellings Prometheus reads', (t) => {
  t.is(formatValue(Number.NaN), 'NaN');
  t.is(formatValue(Number.POSITIVE_INFINITY), '+Inf');
  t.is(formatValue(Number.NEGATIVE_INFINITY), '-Inf');
  t.is(formatValue(1e21), '1e+21');
});

test("per-app families keep soketi's names and labels", (t) => {
  const counters = new AppCounters();
  counters.connected = 2;
  counters.newConnections = 5;
  counters.fanout(3, 'héllo');
  counters.webhookDrops.queue_full = 4;
  counters.rateLimited.set('client_events', 7);
  const text = renderText(appFamilies(new Map([['42', counters]]), '6001'), 'soketi_');
  for (const line of [
    'soketi_connected{app_id="42",port="6001"} 2',
    'soketi_new_connections_total{app_id="42",port="6001"} 5',
    'soketi_new_disconnections_total{app_id="42",port="6001"} 0',
    'soketi_ws_messages_sent{app_id="42",port="6001"} 3',
    'soketi_socket_transmitted_bytes{app_id="42",port="6001"} 18',
    'soketi_http_calls_received_total{app_id="42",port="6001"} 0',
    'soketi_webhook_events_dropped_total{app_id="42",port="6001",reason="queue_full"} 4',
    'soketi_rate_limit_rejections_total{app_id="42",port="6001",limit="client_events"} 7',
  ]) {
    t.true(text.includes(`${line}\n`), line);
  }
});

test('mesh families come from the transport stats; the local adapter has none', (t) => {
  t.deepEqual(meshFamilies({ driver: 'local' }), []);
  const families = meshFamilies({
    driver: 'cluster',
    nodeId: 'me',
    transport: {
      peers: [
        { nodeId: 'p1', rttMs: 2.5, queuedBytes: 10, bytesIn: 100, bytesOut: 200, framesIn: 3, framesOut: 4 },
        { nodeId: 'p2', rttMs: null, queuedBytes: 0, bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0 },
        { nonsense: true },
      ],
      slowConsumers: 1,
      refusedRoutes: 0,
    },
  });
  const text = renderText(families, '');
  t.true(text.includes('mesh_peers 2\n'));
  t.true(text.includes('mesh_peer_rtt_seconds{peer="p1"} 0.0025\n'));
  t.false(text.includes('mesh_peer_rtt_seconds{peer="p2"}'), 'no RTT before the first heartbeat');
  t.true(text.includes('mesh_peer_queued_bytes{peer="p1"} 10\n'));
  t.true(text.includes('mesh_peer_sent_bytes_total{peer="p1"} 200\n'));
  t.true(text.includes('mesh_slow_consumers_total 1\n'));
});

test('ServerMetrics: webhook and rate-limit observers, process figures, JSON form', (t) => {
  const metrics = new ServerMetrics('meshpush_');
  t.teardown(() => metrics.close());
  metrics.attach({
    port: () => 6001,
    adapterStatus: () => ({ driver: 'local' }),
    webhookQueue: () => ({ queuedEvents: 3, delayedEvents: 1 }),
    backpressure: { droppedFrames: 9 },
  });
  metrics.delivered('a', 2);
  metrics.failed('a');
  metrics.dropped('a', 5, 'retries_exhausted');
  metrics.rateLimited('a', 'backend_events');
  const text = metrics.text();
  for (const line of [
    'meshpush_webhook_requests_sent_total{app_id="a",port="6001"} 1',
    'meshpush_webhook_events_sent_total{app_id="a",port="6001"} 2',
    'meshpush_webhook_request_failures_total{app_id="a",port="6001"} 1',
    'meshpush_webhook_events_dropped_total{app_id="a",port="6001",reason="retries_exhausted"} 5',
    'meshpush_rate_limit_rejections_total{app_id="a",port="6001",limit="backend_events"} 1',
    'meshpush_webhook_queued_events 3',
    'meshpush_webhook_delayed_events 1',
    'meshpush_ws_backpressure_dropped_frames_total 9',
  ]) {
    t.true(text.includes(`${line}\n`), line);
  }
  t.regex(text, /^meshpush_process_cpu_seconds_total \d/m);
  t.regex(text, /^meshpush_process_resident_memory_bytes \d+$/m);
  t.regex(text, /^meshpush_nodejs_eventloop_lag_p99_seconds /m);
  const json = renderJson([single('up', 'gauge', 'Up.', 1)], 'x_');
  t.deepEqual(json, [
    { name: 'x_up', help: 'Up.', type: 'gauge', values: [{ labels: {}, value: 1 }], aggregator: 'sum' },
  ]);
});
