import { parseWebhooks } from '../config/apps.js';
import { decimal, parseBoolean, parsePositive, parseQuota, text, type Parser } from '../config/parsers.js';
import { dynamoDbAttribute } from './soketiRow.js';
import type { SqlValue } from './sqlStore.js';

/**
 * A column of soketi's table (an attribute of its DynamoDB items) that `meshpush apps add|update`
 * can set, with its flag and its value check.
 */
export interface AppColumn {
  readonly column: string;
  /** `--max-connections <value>`: the column name in kebab case. */
  readonly flag: string;
  /** The same field in soketi's DynamoDB layout (PascalCase, `AppKey` for `key`). */
  readonly attribute: string;
  /** Written 0/1 in SQL, a `BOOL` in DynamoDB. */
  readonly isFlag: boolean;
  readonly parse: (input: string) => SqlValue;
  /** What `add` writes when the flag is absent (soketi's NOT NULL columns); `null` otherwise. */
  readonly insertDefault: SqlValue;
  readonly doc: string;
}

const flag01 = (input: string): number => (parseBoolean(input) ? 1 : 0);
const as =
  <T extends SqlValue>(parse: Parser<T>) =>
  (input: string) =>
    parse(input);

function column(name: string, parse: (input: string) => SqlValue, insertDefault: SqlValue, doc: string): AppColumn {
  const flag = name.replaceAll('_', '-');
  return {
    column: name,
    flag,
    attribute: dynamoDbAttribute(name),
    isFlag: parse === flag01,
    parse,
    insertDefault,
    doc,
  };
}

/** Every column but `id` (the command's argument, `AppId` in DynamoDB), in soketi's schema order. */
export const APP_COLUMNS: readonly AppColumn[] = [
  column('key', as(text()), null, 'public key (default: random)'),
  column('secret', as(text()), null, 'secret (default: random)'),
  column('max_connections', as(parseQuota), -1, 'connections, -1 = unlimited'),
  column('enable_client_messages', flag01, 0, 'allow client- events (true/false)'),
  column('enabled', flag01, 1, 'false refuses connections (4003)'),
  column('max_backend_events_per_sec', as(parseQuota), -1, 'HTTP publishes per second, -1 = unlimited'),
  column('max_client_events_per_sec', as(parseQuota), -1, 'client events per second, -1 = unlimited'),
  column('max_read_req_per_sec', as(parseQuota), -1, 'HTTP reads per second, -1 = unlimited'),
  column('webhooks', (input) => JSON.stringify(parseWebhooks(input)), '[]', 'JSON list of webhooks'),
  column('max_presence_members_per_channel', as(parsePositive), null, 'presence members per channel'),
  column('max_presence_member_size_in_kb', as(decimal(0.001)), null, 'presence user_info size'),
  column('max_channel_name_length', as(parsePositive), null, 'channel name length'),
  column('max_event_channels_at_once', as(parsePositive), null, 'channels per trigger'),
  column('max_event_name_length', as(parsePositive), null, 'event name length'),
  column('max_event_payload_in_kb', as(decimal(0.001)), null, 'event payload size'),
  column('max_event_batch_size', as(parsePositive), null, 'events per batch'),
  column('enable_user_authentication', flag01, 0, 'require pusher:signin (true/false)'),
];
