import type { Server } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { TeardownHost } from '@meshpush/test-support';
import type { AppRow, TestDatabase } from './databases.js';

// dynalite ships no types: a function that builds an http.Server holding an in-memory DynamoDB.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** soketi's attribute for each column the tests write (its fixture's PascalCase names). */
const ATTRIBUTES: Record<keyof AppRow, string> = {
  id: 'AppId',
  key: 'AppKey',
  secret: 'AppSecret',
  max_connections: 'MaxConnections',
  enabled: 'Enabled',
  enable_client_messages: 'EnableClientMessages',
  webhooks: 'Webhooks',
};

const FLAGS = new Set(['enabled', 'enable_client_messages']);

/** As soketi's fixture stores them: flags as binary 'true'/'false', numbers as N, the rest as S. */
function attribute(column: string, value: string | number): AttributeValue {
  if (FLAGS.has(column)) return { B: Buffer.from(value ? 'true' : 'false') };
  if (typeof value === 'number') return { N: String(value) };
  return { S: value };
}

function item(row: AppRow): Record<string, AttributeValue> {
  const full: Record<string, string | number> = {
    enabled: 1,
    enable_client_messages: 0,
    max_connections: -1,
    webhooks: '[]',
    ...row,
  };
  return Object.fromEntries(
    Object.entries(full).map(([column, value]) => [ATTRIBUTES[column as keyof AppRow], attribute(column, value)]),
  );
}

/**
 * A TCP relay to `target` on 127.0.0.1 that can be cut and restored on the same port: dynalite
 * loses its in-memory tables when it is closed, so outages are made in front of it.
 */
async function relay(t: TeardownHost, target: number) {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number): Promise<void> => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const cut = (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  await listen(0);
  const { port } = server.address() as AddressInfo;
  t.teardown(() => (server.listening ? cut() : undefined));
  return { port, cut, restore: () => listen(port) };
}

/**
 * dynalite on 127.0.0.1 (port 0) with soketi's `apps` table (hash key AppId, index AppKeyIndex on
 * AppKey), reached by the server through a relay that an outage cuts.
 */
export async function createDynamoDb(t: TeardownHost): Promise<TestDatabase> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: CREDENTIALS,
  });
  const cuttable = await relay(t, port);
  const endpoint = `http://127.0.0.1:${cuttable.port}`;
  t.teardown(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'apps',
      AttributeDefinitions: [
        { AttributeName: 'AppId', AttributeType: 'S' },
        { AttributeName: 'AppKey', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'AppId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'AppKeyIndex',
          KeySchema: [{ AttributeName: 'AppKey', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
          ProvisionedThroughput: { ReadCapacityUnits: 100, WriteCapacityUnits: 100 },
        },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 100, WriteCapacityUnits: 100 },
    }),
  );
  return {
    driver: 'dynamodb',
    env: {
      APP_MANAGER_DRIVER: 'dynamodb',
      APP_MANAGER_DYNAMODB_ENDPOINT: endpoint,
      APP_MANAGER_DYNAMODB_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
    insert: async (row) => {
      await client.send(new PutItemCommand({ TableName: 'apps', Item: item(row) }));
    },
    update: async (id, fields) => {
      const entries = Object.entries(fields);
      await client.send(
        new UpdateItemCommand({
          TableName: 'apps',
          Key: { AppId: { S: id } },
          UpdateExpression: `SET ${entries.map((_, index) => `#a${index} = :v${index}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(
            entries.map(([column], index) => [`#a${index}`, ATTRIBUTES[column as keyof AppRow]]),
          ),
          ExpressionAttributeValues: Object.fromEntries(
            entries.map(([column, value], index) => [`:v${index}`, attribute(column, value as string | number)]),
          ),
        }),
      );
    },
    remove: async (id) => {
      await client.send(new DeleteItemCommand({ TableName: 'apps', Key: { AppId: { S: id } } }));
    },
    revoke: () => cuttable.cut(),
    grant: () => cuttable.restore(),
    grantWrites: () => Promise.resolve(),
    unreachableEnv: (deadPort) => ({ APP_MANAGER_DYNAMODB_ENDPOINT: `http://127.0.0.1:${deadPort}` }),
  };
}
