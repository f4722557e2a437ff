import { setTimeout as delay } from 'node:timers/promises';
import type { AppConfig, AppIdentity, AppStore, Logger } from '@meshpush/pusher-server';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AppManagerSettings } from '../config/settings.js';
import { loadClient } from './loadClient.js';
import { rowToAppConfig, type Row } from './soketiRow.js';

export type Item = Record<string, AttributeValue>;
type Sdk = typeof import('@aws-sdk/client-dynamodb');

/**
 * soketi's `dynamodb` app manager: items keyed by `AppId`, found by key through the global
 * secondary index `AppKeyIndex` (hash key `AppKey`), attributes in PascalCase (`AppSecret`,
 * `MaxConnections`, `EnableClientMessages`, `Webhooks` as a JSON string, …). Credentials come
 * from the AWS SDK's default chain (AWS_ACCESS_KEY_ID…, a profile, an instance role).
 */
export async function createDynamoDbStore(settings: AppManagerSettings, logger: Logger): Promise<AppStore> {
  const { sdk, client, table } = await connectDynamoDb(settings);
  return new DynamoDbAppStore(sdk, client, table, logger);
}

/** The SDK (loaded on demand), a client for the configured region and endpoint, and the table's name. */
export interface DynamoDbConnection {
  readonly sdk: Sdk;
  readonly client: DynamoDBClient;
  readonly table: string;
}

export async function connectDynamoDb(settings: AppManagerSettings): Promise<DynamoDbConnection> {
  const sdk = await loadClient('@aws-sdk/client-dynamodb', 'dynamodb', () => import('@aws-sdk/client-dynamodb'));
  const { region, endpoint, table } = settings.dynamodb;
  const client = new sdk.DynamoDBClient({ region, ...(endpoint !== '' && { endpoint }) });
  return { sdk, client, table };
}

/** Requests per `findByIds` before unprocessed keys count as a failed query (the cache then keeps its apps). */
const BATCH_ROUNDS = 4;
const BATCH_BACKOFF_MS = 50;

export class DynamoDbAppStore implements AppStore {
  readonly driver = 'dynamodb';
  /** `BatchGetItem` takes at most 100 keys. */
  readonly maxIdsPerQuery = 100;
  readonly #sdk: Sdk;
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #logger: Logger;

  constructor(sdk: Sdk, client: DynamoDBClient, table: string, logger: Logger) {
    this.#sdk = sdk;
    this.#client = client;
    this.#table = table;
    this.#logger = logger;
  }

  async findById(id: string): Promise<AppConfig | undefined> {
    const { Item } = await this.#client.send(
      new this.#sdk.GetItemCommand({ TableName: this.#table, Key: { AppId: { S: id } }, ConsistentRead: true }),
    );
    return Item && this.#config(Item);
  }

  /** One `BatchGetItem` (at most 100 keys, DynamoDB's limit), its unprocessed keys asked again. */
  async findByIds(ids: readonly string[]): Promise<ReadonlyMap<string, AppConfig>> {
    const found = new Map<string, AppConfig>();
    let keys: Item[] = ids.map((id) => ({ AppId: { S: id } }));
    for (let round = 0; keys.length > 0; round++) {
      if (round === BATCH_ROUNDS) throw new Error(`DynamoDB left ${keys.length} keys unprocessed (throttled)`);
      // Unprocessed keys mean throttling: ask again after a growing pause, as AWS recommends.
      if (round > 0) await delay(BATCH_BACKOFF_MS * 2 ** (round - 1));
      const { Responses, UnprocessedKeys } = await this.#client.send(
        new this.#sdk.BatchGetItemCommand({ RequestItems: { [this.#table]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of Responses?.[this.#table] ?? []) found.set(String(plain(item.AppId)), this.#config(item));
      keys = UnprocessedKeys?.[this.#table]?.Keys ?? [];
    }
    return found;
  }

  async findByKey(key: string): Promise<AppConfig | undefined> {
    const { Items } = await this.#client.send(
      new this.#sdk.QueryCommand({
        TableName: this.#table,
        IndexName: 'AppKeyIndex',
        KeyConditionExpression: 'AppKey = :key',
        ExpressionAttributeValues: { ':key': { S: key } },
        Limit: 1,
      }),
    );
    const item = Items?.[0];
    return item && this.#config(item);
  }

  /** A scan of the two key attributes, page by page (1 MB each): the index of every app. */
  async identities(): Promise<AppIdentity[]> {
    const identities: AppIdentity[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#client.send(
        new this.#sdk.ScanCommand({
          TableName: this.#table,
          ProjectionExpression: 'AppId, AppKey',
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        identities.push({ id: String(plain(item.AppId)), key: String(plain(item.AppKey)) });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return identities;
  }

  async close(): Promise<void> {
    this.#client.destroy();
    return Promise.resolve();
  }

  #config(item: Item): AppConfig {
    const row: Row = Object.fromEntries(Object.entries(item).map(([name, value]) => [name, plain(value)]));
    return rowToAppConfig(row, (problem) =>
      this.#logger.warn('app item has an invalid field', { driver: this.driver, id: String(row.AppId), problem }),
    );
  }
}

/**
 * An attribute as a plain value. soketi's fixture stores flags as binary `'true'`/`'false'`
 * (`B`), so binary becomes its text, which the row mapper reads as a flag.
 */
export function plain(value: AttributeValue | undefined): unknown {
  if (!value) return undefined;
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.B !== undefined) return Buffer.from(value.B).toString('utf8');
  if (value.NULL) return null;
  if (value.L !== undefined) return value.L.map(plain);
  if (value.M !== undefined) return Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, plain(v)]));
  return undefined;
}
