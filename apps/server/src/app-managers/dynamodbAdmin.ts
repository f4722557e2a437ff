import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../config/errors.js';
import type { AppAdmin, AppValues } from './appAdmin.js';
import { APP_COLUMNS, type AppColumn } from './appColumns.js';
import { plain, type DynamoDbConnection, type Item } from './dynamodb.js';
import { flag, type Row } from './soketiRow.js';
import type { SqlValue } from './sqlStore.js';

/**
 * Writes items of soketi's DynamoDB layout for `meshpush apps`: hash key `AppId`, PascalCase
 * attributes, numbers as `N`, flags as `BOOL` and `Webhooks` as a JSON string. `BOOL` rather
 * than the binary 'true'/'false' of soketi's fixture: soketi reads a binary `Enabled` as always
 * true, a `BOOL` as it is. The role needs `PutItem`, `UpdateItem`, `DeleteItem`, `GetItem`,
 * `Scan` and `Query` on the `AppKeyIndex` index.
 */
export class DynamoDbAppAdmin implements AppAdmin {
  readonly #db: DynamoDbConnection;

  constructor(connection: DynamoDbConnection) {
    this.#db = connection;
  }

  /** A scan, page by page, as rows with the SQL column names (flags 0/1, like the SQL drivers). */
  async list(): Promise<Row[]> {
    const rows: Row[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#db.client.send(
        new this.#db.sdk.ScanCommand({ TableName: this.#db.table, ...(start && { ExclusiveStartKey: start }) }),
      );
      rows.push(...(page.Items ?? []).map(toRow));
      start = page.LastEvaluatedKey;
    } while (start);
    return rows.sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
  }

  async add(id: string, values: AppValues): Promise<void> {
    await this.#keyIsFree(id, values);
    const item: Item = { AppId: { S: id } };
    for (const column of APP_COLUMNS) {
      const value = values.has(column.column) ? (values.get(column.column) ?? null) : column.insertDefault;
      if (value !== null) item[column.attribute] = attributeValue(column, value);
    }
    const put = new this.#db.sdk.PutItemCommand({
      TableName: this.#db.table,
      Item: item,
      // A put replaces silently; an existing id must be an error, as SQL's primary key makes it.
      ConditionExpression: 'attribute_not_exists(AppId)',
    });
    if (!(await this.#conditional(() => this.#db.client.send(put))))
      throw new ConfigError(`an app with id "${id}" exists already`);
  }

  async update(id: string, values: AppValues): Promise<boolean> {
    await this.#keyIsFree(id, values);
    if (values.size === 0) return this.#exists(id);
    const update = new this.#db.sdk.UpdateItemCommand({
      TableName: this.#db.table,
      Key: { AppId: { S: id } },
      ...updateExpression(values),
      // Without it an update of an unknown id would create a partial item.
      ConditionExpression: 'attribute_exists(AppId)',
    });
    return this.#conditional(() => this.#db.client.send(update));
  }

  async remove(id: string): Promise<boolean> {
    const { Attributes } = await this.#db.client.send(
      new this.#db.sdk.DeleteItemCommand({
        TableName: this.#db.table,
        Key: { AppId: { S: id } },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes !== undefined;
  }

  close(): Promise<void> {
    this.#db.client.destroy();
    return Promise.resolve();
  }

  async #exists(id: string): Promise<boolean> {
    const { Item } = await this.#db.client.send(
      new this.#db.sdk.GetItemCommand({
        TableName: this.#db.table,
        Key: { AppId: { S: id } },
        ProjectionExpression: 'AppId',
      }),
    );
    return Item !== undefined;
  }

  /** Sends a conditional write; false when its condition failed. */
  async #conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof this.#db.sdk.ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The key index is not unique in DynamoDB (SQL's is): two items with one key would make lookups ambiguous. */
  async #keyIsFree(id: string, values: AppValues): Promise<void> {
    const key = values.get('key');
    if (typeof key !== 'string') return;
    const { Items } = await this.#db.client.send(
      new this.#db.sdk.QueryCommand({
        TableName: this.#db.table,
        IndexName: 'AppKeyIndex',
        KeyConditionExpression: 'AppKey = :key',
        ExpressionAttributeValues: { ':key': { S: key } },
        ProjectionExpression: 'AppId',
      }),
    );
    const holder = Items?.find((item) => plain(item.AppId) !== id);
    if (holder) throw new ConfigError(`key "${key}" belongs to app "${String(plain(holder.AppId))}" already`);
  }
}

function attributeValue(column: AppColumn, value: string | number): AttributeValue {
  if (column.isFlag) return { BOOL: Boolean(value) };
  return typeof value === 'number' ? { N: String(value) } : { S: value };
}

/** `SET #a0 = :v0, …` for the values given and `REMOVE #a1` for the ones cleared (NULL in SQL). */
function updateExpression(values: AppValues): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
} {
  const names: Record<string, string> = {};
  const attributeValues: Record<string, AttributeValue> = {};
  const set: string[] = [];
  const remove: string[] = [];
  for (const [index, [name, value]] of [...values].entries()) {
    const column = APP_COLUMNS.find((candidate) => candidate.column === name);
    if (!column) throw new Error(`unknown app column ${name}`);
    names[`#a${index}`] = column.attribute;
    if (value === null) {
      remove.push(`#a${index}`);
    } else {
      attributeValues[`:v${index}`] = attributeValue(column, value);
      set.push(`#a${index} = :v${index}`);
    }
  }
  const clauses = [
    set.length > 0 ? `SET ${set.join(', ')}` : '',
    remove.length > 0 ? `REMOVE ${remove.join(', ')}` : '',
  ];
  return {
    UpdateExpression: clauses.filter(Boolean).join(' '),
    ExpressionAttributeNames: names,
    ...(set.length > 0 && { ExpressionAttributeValues: attributeValues }),
  };
}

/** An item as a row of the SQL layout: the listing is the same for every driver. */
function toRow(item: Item): Row {
  const row: Record<string, unknown> = { id: plain(item.AppId) };
  for (const column of APP_COLUMNS) {
    const value = plain(item[column.attribute]) as SqlValue | boolean | undefined;
    const isSet = value !== undefined && value !== null;
    row[column.column] = column.isFlag && isSet ? Number(flag(value)) : (value ?? null);
  }
  return row;
}
