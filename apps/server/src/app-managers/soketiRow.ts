import type { AppConfig, WebhookConfig } from '@meshpush/pusher-server';
import { parseWebhooks } from '../config/apps.js';

/** A row as a database client returns it: column name to value. */
export type Row = Readonly<Record<string, unknown>>;

/**
 * soketi 1.6 reads each field under several spellings (a SQL column, a DynamoDB attribute, a
 * config key) and the last one present wins; the same lists here, so a table soketi serves is
 * served unchanged. From soketi's `src/app.ts` (`App` constructor).
 */
const NAMES = {
  id: ['id', 'AppId'],
  key: ['key', 'AppKey'],
  secret: ['secret', 'AppSecret'],
  maxConnections: ['maxConnections', 'MaxConnections', 'max_connections'],
  enableClientMessages: ['enableClientMessages', 'EnableClientMessages', 'enable_client_messages'],
  enabled: ['enabled', 'Enabled'],
  maxBackendEventsPerSecond: ['maxBackendEventsPerSecond', 'MaxBackendEventsPerSecond', 'max_backend_events_per_sec'],
  maxClientEventsPerSecond: ['maxClientEventsPerSecond', 'MaxClientEventsPerSecond', 'max_client_events_per_sec'],
  maxReadRequestsPerSecond: ['maxReadRequestsPerSecond', 'MaxReadRequestsPerSecond', 'max_read_req_per_sec'],
  webhooks: ['webhooks', 'Webhooks'],
  maxPresenceMembersPerChannel: [
    'maxPresenceMembersPerChannel',
    'MaxPresenceMembersPerChannel',
    'max_presence_members_per_channel',
  ],
  maxPresenceMemberSizeInKb: [
    'maxPresenceMemberSizeInKb',
    'MaxPresenceMemberSizeInKb',
    'max_presence_member_size_in_kb',
  ],
  maxChannelNameLength: ['maxChannelNameLength', 'MaxChannelNameLength', 'max_channel_name_length'],
  maxEventChannelsAtOnce: ['maxEventChannelsAtOnce', 'MaxEventChannelsAtOnce', 'max_event_channels_at_once'],
  maxEventNameLength: ['maxEventNameLength', 'MaxEventNameLength', 'max_event_name_length'],
  maxEventPayloadInKb: ['maxEventPayloadInKb', 'MaxEventPayloadInKb', 'max_event_payload_in_kb'],
  maxEventBatchSize: ['maxEventBatchSize', 'MaxEventBatchSize', 'max_event_batch_size'],
  enableUserAuthentication: ['enableUserAuthentication', 'EnableUserAuthentication', 'enable_user_authentication'],
} as const;

type Field = keyof typeof NAMES;

/** soketi's DynamoDB attribute for one of its SQL columns: the PascalCase spelling of that field. */
export function dynamoDbAttribute(column: string): string {
  const spellings: readonly string[] | undefined = Object.values(NAMES).find((names: readonly string[]) =>
    names.includes(column),
  );
  const attribute = spellings?.find((name) => /^[A-Z]/.test(name));
  if (attribute === undefined) throw new Error(`soketi has no DynamoDB attribute for the column ${column}`);
  return attribute;
}

function pick(row: Row, field: Field): unknown {
  let value: unknown;
  for (const name of NAMES[field]) if (row[name] !== undefined && row[name] !== null) value = row[name];
  return value;
}

/** MySQL's tinyint(1) and PostgreSQL's smallint arrive as 0/1; some clients give strings or bigints. */
export function flag(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return !['0', 'false', 'f', ''].includes(value.trim().toLowerCase());
  return Boolean(Number(value));
}

/** soketi parses with parseInt/parseFloat: a NULL or unparsable value falls back to the default. */
function num(value: unknown, parse: (text: string) => number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parse(String(value));
  return Number.isFinite(parsed) ? parsed : undefined;
}

const int = (row: Row, field: Field): number | undefined => num(pick(row, field), (text) => parseInt(text, 10));
const float = (row: Row, field: Field): number | undefined => num(pick(row, field), parseFloat);

/**
 * A row of soketi's layout as an `AppConfig`. Invalid webhooks JSON is reported through
 * `onInvalid` and the app keeps no webhooks (soketi drops it silently; a log line says why).
 */
export function rowToAppConfig(row: Row, onInvalid: (problem: string) => void = () => undefined): AppConfig {
  const config: Record<string, unknown> = {
    id: String(pick(row, 'id') ?? ''),
    key: String(pick(row, 'key') ?? ''),
    secret: String(pick(row, 'secret') ?? ''),
    enabled: flag(pick(row, 'enabled')),
    enableClientMessages: flag(pick(row, 'enableClientMessages')),
    enableUserAuthentication: flag(pick(row, 'enableUserAuthentication')),
    maxConnections: int(row, 'maxConnections'),
    maxBackendEventsPerSecond: int(row, 'maxBackendEventsPerSecond'),
    maxClientEventsPerSecond: int(row, 'maxClientEventsPerSecond'),
    maxReadRequestsPerSecond: int(row, 'maxReadRequestsPerSecond'),
    webhooks: webhooks(pick(row, 'webhooks'), onInvalid),
    maxPresenceMembersPerChannel: int(row, 'maxPresenceMembersPerChannel'),
    maxPresenceMemberSizeInKb: float(row, 'maxPresenceMemberSizeInKb'),
    maxChannelNameLength: int(row, 'maxChannelNameLength'),
    maxEventChannelsAtOnce: int(row, 'maxEventChannelsAtOnce'),
    maxEventNameLength: int(row, 'maxEventNameLength'),
    maxEventPayloadInKb: float(row, 'maxEventPayloadInKb'),
    maxEventBatchSize: int(row, 'maxEventBatchSize'),
  };
  for (const name of Object.keys(config)) if (config[name] === undefined) delete config[name];
  return config as unknown as AppConfig;
}

function webhooks(value: unknown, onInvalid: (problem: string) => void): WebhookConfig[] {
  if (value === undefined || value === '') return [];
  try {
    return parseWebhooks(Buffer.isBuffer(value) ? value.toString('utf8') : value);
  } catch (error) {
    onInvalid(`webhooks: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  }
}
