import test from 'ava';
import { rowToAppConfig } from '../src/app-managers/soketiRow.js';

test("a row of soketi's MySQL/MariaDB layout: 0/1 flags, JSON as text, NULL limits left to the server", (t) => {
  const problems: string[] = [];
  const config = rowToAppConfig(
    {
      id: 'app-id',
      key: 'app-key',
      secret: 'app-secret',
      max_connections: 200,
      enabled: 1,
      enable_client_messages: 0,
      max_backend_events_per_sec: -1,
      max_client_events_per_sec: '-1',
      max_read_req_per_sec: -1,
      webhooks: '[{"url":"http://127.0.0.1:1/hook","event_types":["channel_occupied"]}]',
      max_presence_members_per_channel: null,
      max_event_payload_in_kb: '12.5',
      enable_user_authentication: 0,
      unknown_column: 'ignored',
    },
    (problem) => problems.push(problem),
  );
  t.deepEqual(config, {
    id: 'app-id',
    key: 'app-key',
    secret: 'app-secret',
    enabled: true,
    enableClientMessages: false,
    enableUserAuthentication: false,
    maxConnections: 200,
    maxBackendEventsPerSecond: -1,
    maxClientEventsPerSecond: -1,
    maxReadRequestsPerSecond: -1,
    webhooks: [{ url: 'http://127.0.0.1:1/hook', event_types: ['channel_occupied'] }],
    maxEventPayloadInKb: 12.5,
  });
  t.deepEqual(problems, []);
});

test('DynamoDB-style attribute names are read too, as soketi reads them', (t) => {
  const config = rowToAppConfig({ AppId: '7', AppKey: 'k', AppSecret: 's', Enabled: false, MaxConnections: 3 });
  t.like(config, { id: '7', key: 'k', secret: 's', enabled: false, maxConnections: 3 });
});

test('invalid webhooks JSON: the app keeps no webhooks and the problem is reported', (t) => {
  const problems: string[] = [];
  const config = rowToAppConfig({ id: '1', key: 'k', secret: 's', webhooks: '{not json' }, (p) => problems.push(p));
  t.deepEqual(config.webhooks, []);
  t.is(problems.length, 1);
});
