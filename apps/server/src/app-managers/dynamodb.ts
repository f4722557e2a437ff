import type { AppConfig, AppIdentity, AppStore, Logger } from '@meshpush/pusher-server';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AppManagerSettings } from '../config/settings.js';
import { loadClient } from './loadClient.js';
import { rowToAppConfig, type Row } from './soketiRow.js';

type Item = Record<string, AttributeValue>;
type Sdk = typeof import('@aws-sdk/client-dynamodb');

/**
 * soketi's `dynamodb` app manager: items keyed by `AppId`, found by key through the global
 * secondary index `AppKeyIndex` (hash key `AppKey`), attributes in PascalCase (`AppSecret`,
 * `MaxConnections`, `EnableClientMessages`, `Webhooks` as a JSON string, …). Credentials come
 * from the AWS SDK's default chain (AWS_ACCESS_KEY_ID…, a profile, an instance role).
 */
export async function createDynamoDbStore(settings: AppManagerSettings, logger: Logger): Promise<AppStore> {
  const sdk = await loadClient('@aws-sdk/client-dynamodb', 'dynamodb', () => import('@aws-sdk/client-dynamodb'));
  const { region, endpoint, table } = settings.dynamodb;
  const client = new sdk.DynamoDBClient({ region, ...(endpoint !== '' && { endpoint }) });
  return new DynamoDbAppStore(sdk, client, table, logger);
}

class DynamoDbAppStore implements AppStore {
  readonly driver = 'dynamodb';
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
function plain(value: AttributeValue | undefined): unknown {
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
