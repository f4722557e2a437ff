import type { AppConfig, WebhookConfig } from '@meshpush/pusher-server';
import { ValueError, closestName } from './errors.js';
import {
  decimal,
  isPlainObject,
  jsonList,
  parseAppId,
  parseBoolean,
  parsePositive,
  parseQuota,
  text,
  type Parser,
} from './parsers.js';

/** The webhook events an app may ask for (PROTOCOL.md §3.9). */
const WEBHOOK_EVENTS = new Set([
  'channel_occupied',
  'channel_vacated',
  'member_added',
  'member_removed',
  'client_event',
  'cache_miss',
  'subscription_count',
]);

type FieldParsers<T> = { [K in keyof T]-?: Parser<T[K]> };

const parseUrl: Parser<string> = (input) => {
  const url = text()(input);
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new ValueError(`"${url}" is not a URL`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new ValueError(`"${url}" is not an http(s) URL`);
  return url;
};

const parseEventTypes: Parser<string[]> = jsonList((input) => {
  const name = text()(input);
  if (!WEBHOOK_EVENTS.has(name)) {
    throw new ValueError(`unknown webhook event "${name}" (expected: ${[...WEBHOOK_EVENTS].join(', ')})`);
  }
  return name;
});

const filterFields: FieldParsers<NonNullable<WebhookConfig['filter']>> = {
  channel_name_starts_with: text({ allowEmpty: true }),
  channel_name_ends_with: text({ allowEmpty: true }),
};

const parseHeaders: Parser<Record<string, string>> = (input) => {
  if (!isPlainObject(input)) throw new ValueError('expected an object of header names to strings');
  for (const [name, value] of Object.entries(input)) {
    if (typeof value !== 'string') throw new ValueError(`header "${name}" must be a string`);
  }
  return input as Record<string, string>;
};

const webhookFields: FieldParsers<WebhookConfig> = {
  url: parseUrl,
  event_types: parseEventTypes,
  filter: (input) => parseFields(input, filterFields, 'webhook filter'),
  headers: parseHeaders,
};

/** soketi's AWS Lambda webhooks: a deliberate gap, so it gets its own message. */
const LAMBDA_FIELDS = new Set(['lambda', 'lambda_function']);

export const parseWebhook: Parser<WebhookConfig> = (input) => {
  if (isPlainObject(input) && Object.keys(input).some((field) => LAMBDA_FIELDS.has(field))) {
    throw new ValueError('AWS Lambda webhooks are not supported (give the webhook a url)');
  }
  const webhook = parseFields(input, webhookFields, 'webhook');
  if (webhook.url === undefined) throw new ValueError('a webhook needs a url');
  return webhook as WebhookConfig;
};

export const parseWebhooks: Parser<WebhookConfig[]> = jsonList((input, index) =>
  withContext(`webhook #${index}`, () => parseWebhook(input)),
);

const appFields: FieldParsers<AppConfig> = {
  id: parseAppId,
  key: text(),
  secret: text(),
  enabled: parseBoolean,
  enableClientMessages: parseBoolean,
  enableUserAuthentication: parseBoolean,
  enableSubscriptionCount: parseBoolean,
  maxConnections: parseQuota,
  maxBackendEventsPerSecond: parseQuota,
  maxClientEventsPerSecond: parseQuota,
  maxReadRequestsPerSecond: parseQuota,
  webhooks: parseWebhooks,
  maxPresenceMembersPerChannel: parsePositive,
  maxPresenceMemberSizeInKb: decimal(0.001),
  maxChannelNameLength: parsePositive,
  maxChannelsPerConnection: parsePositive,
  maxEventChannelsAtOnce: parsePositive,
  maxEventNameLength: parsePositive,
  maxEventPayloadInKb: decimal(0.001),
  maxEventBatchSize: parsePositive,
};

/** One `appManager.array.apps` entry: soketi's field names, id/key/secret required. */
export const parseApp: Parser<AppConfig> = (input) => {
  const app = parseFields(input, appFields, 'app');
  for (const field of ['id', 'key', 'secret'] as const) {
    if (app[field] === undefined) throw new ValueError(`an app needs "${field}"`);
  }
  return app as AppConfig;
};

/** The app list: each app valid, no id or key used twice, at least one app. */
export const parseApps: Parser<AppConfig[]> = (input) => {
  const apps = jsonList((entry, index) => withContext(`app #${index}`, () => parseApp(entry)))(input);
  if (apps.length === 0) throw new ValueError('expected at least one app');
  rejectDuplicates(apps, 'id');
  rejectDuplicates(apps, 'key');
  return apps;
};

function rejectDuplicates(apps: AppConfig[], field: 'id' | 'key'): void {
  const seen = new Set<string>();
  for (const app of apps) {
    if (seen.has(app[field])) throw new ValueError(`two apps have the ${field} "${app[field]}"`);
    seen.add(app[field]);
  }
}

/** Checks every field of an object against its parser; an unknown field is an error (typos). */
function parseFields<T>(input: unknown, fields: FieldParsers<T>, what: string): Partial<T> {
  if (!isPlainObject(input)) throw new ValueError(`expected a ${what} object`);
  const result: Partial<T> = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === null) continue; // soketi treats null fields as unset
    const parse = (fields as Record<string, Parser<unknown> | undefined>)[name];
    if (!parse) throw unknownField(name, Object.keys(fields), what);
    (result as Record<string, unknown>)[name] = withContext(`${what} field "${name}"`, () => parse(value));
  }
  return result;
}

function unknownField(name: string, known: string[], what: string): ValueError {
  const hint = closestName(name, known);
  return new ValueError(
    `unknown ${what} field "${name}" (${hint ? `did you mean "${hint}"?` : `known: ${known.join(', ')}`})`,
  );
}

function withContext<T>(context: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ValueError) throw new ValueError(`${context}: ${error.message}`);
    throw error;
  }
}
