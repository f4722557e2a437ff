import test from 'ava';
import WebSocket from 'ws';
import type { TeardownHost } from '@meshpush/test-support';
import { databasesAvailable } from './app-manager-support/availability.js';
import { createMysql, createPostgres, type TestDatabase } from './app-manager-support/databases.js';
import { createDynamoDb } from './app-manager-support/dynamodb.js';
import { startServer } from './support/server.js';

// Connect latency (new WebSocket → pusher:connection_established) of the static app manager and
// of the database drivers with a cold cache (each key's first connect: one row query) and a warm
// one (the same keys again), measured in one run on the same machine. Printed with t.log.

const APPS = 200;

/** Milliseconds from opening a socket to `connection_established`. */
function connectMs(port: number, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${key}?protocol=7`);
    const timer = setTimeout(() => reject(new Error(`no connection_established for ${key}`)), 5_000);
    ws.on('message', (data: Buffer) => {
      if (!data.toString().includes('pusher:connection_established')) return;
      const elapsed = performance.now() - started;
      clearTimeout(timer);
      ws.close();
      resolve(elapsed);
    });
    ws.on('error', reject);
    ws.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`closed before connection_established: ${key}`));
    });
  });
}

async function series(port: number, keys: readonly string[]): Promise<number[]> {
  const times: number[] = [];
  for (const key of keys) times.push(await connectMs(port, key));
  return times;
}

function describe(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number): string =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2);
  const mean = (sorted.reduce((sum, value) => sum + value, 0) / sorted.length).toFixed(2);
  return `n=${sorted.length} mean ${mean} ms, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`;
}

const keys = Array.from({ length: APPS }, (_, index) => `key-${index}`);

async function measureDatabase(t: TeardownHost & { log: (...values: unknown[]) => void }, db: TestDatabase) {
  for (const [index, key] of keys.entries()) await db.insert({ id: `app-${index}`, key, secret: `secret-${index}` });
  const server = await startServer(t, {
    env: { ...db.env, APP_MANAGER_CACHE_ENABLED: 'true', APP_MANAGER_CACHE_TTL: '60' },
  });
  await connectMs(server.port, 'warm-up-unknown-key').catch(() => undefined); // loads the id/key index, and the connection pool
  const cold = await series(server.port, keys);
  const warm = await series(server.port, keys);
  return { cold, warm };
}

const available = await databasesAvailable(test, ['postgres', 'mysql']);

if (available)
  test.serial(
    'connect latency: static apps, then PostgreSQL, MariaDB and DynamoDB (dynalite) with a cold and a warm cache',
    async (t) => {
      const staticServer = await startServer(t);
      const defaultKeys = Array<string>(APPS).fill('app-key');
      await series(staticServer.port, defaultKeys); // warms up this process's client code (JIT), discarded
      const staticTimes = await series(staticServer.port, defaultKeys);
      const postgres = await measureDatabase(t, await createPostgres(t));
      const mysql = await measureDatabase(t, await createMysql(t));
      const dynamodb = await measureDatabase(t, await createDynamoDb(t));
      t.log(`static (array)   : ${describe(staticTimes)}`);
      t.log(`postgres cold    : ${describe(postgres.cold)}`);
      t.log(`postgres warm    : ${describe(postgres.warm)}`);
      t.log(`mariadb cold     : ${describe(mysql.cold)}`);
      t.log(`mariadb warm     : ${describe(mysql.warm)}`);
      t.log(`dynalite cold    : ${describe(dynamodb.cold)}`);
      t.log(`dynalite warm    : ${describe(dynamodb.warm)}`);
      t.log(`static (again)   : ${describe(await series(staticServer.port, defaultKeys))}`);
      t.is(postgres.warm.length, APPS);
      t.is(mysql.warm.length, APPS);
    },
  );
