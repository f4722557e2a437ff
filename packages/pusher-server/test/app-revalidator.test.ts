import test from 'ava';
import { resolveApp, type App } from '../src/app-manager/App.js';
import type { AppManager } from '../src/app-manager/AppManager.js';
import { AppRevalidator } from '../src/app-manager/AppRevalidator.js';
import { defaultLimits } from '../src/config/ServerConfig.js';
import { silentLogger } from '../src/util/Logger.js';

const app = (id: string, enabled = true): App =>
  resolveApp({ id, key: `key-${id}`, secret: 's', enabled }, defaultLimits);

test('each pass re-reads only the apps with open sockets and reports what it found', async (t) => {
  const rows = new Map<string, App | undefined>([
    ['1', app('1', false)],
    ['2', undefined],
    ['3', app('3')],
  ]);
  const asked: string[] = [];
  const manager: AppManager = {
    findByKey: () => undefined,
    findById: () => undefined,
    revalidateIntervalMs: 1_000,
    revalidate: async (id) => {
      asked.push(id);
      return rows.get(id);
    },
  };
  const changes: Array<[string, boolean | undefined]> = [];
  const revalidator = new AppRevalidator(
    manager,
    {
      connectedAppIds: () => new Set(['1', '2']),
      appsChanged: (found) =>
        changes.push(...[...found].map(([id, app]) => [id, app?.enabled] as [string, boolean | undefined])),
    },
    silentLogger,
  );
  await revalidator.tick();
  t.deepEqual(asked, ['1', '2']);
  t.deepEqual(changes, [
    ['1', false],
    ['2', undefined],
  ]);
});

test('a manager without revalidate starts no timer', async (t) => {
  const revalidator = new AppRevalidator(
    { findByKey: () => undefined, findById: () => undefined },
    { connectedAppIds: () => new Set(['1']), appsChanged: () => t.fail() },
    silentLogger,
  );
  revalidator.start();
  await revalidator.tick();
  await revalidator.stop();
  t.pass();
});

test('a manager with revalidateMany gets one call per pass with every connected app', async (t) => {
  const calls: string[][] = [];
  const manager: AppManager = {
    findByKey: () => undefined,
    findById: () => undefined,
    revalidateIntervalMs: 1_000,
    revalidate: () => Promise.reject(new Error('the batch path is preferred')),
    revalidateMany: async (ids) => {
      calls.push([...ids]);
      return new Map(ids.map((id) => [id, id === '2' ? undefined : app(id)]));
    },
  };
  const seen: Array<ReadonlyMap<string, App | undefined>> = [];
  const ids = new Set(Array.from({ length: 50 }, (_, i) => String(i + 1)));
  const revalidator = new AppRevalidator(
    manager,
    { connectedAppIds: () => ids, appsChanged: (changes) => seen.push(changes) },
    silentLogger,
  );
  await revalidator.tick();
  t.is(calls.length, 1);
  t.is(calls[0]?.length, 50);
  t.is(seen[0]?.size, 50);
  t.is(seen[0]?.get('2'), undefined);
  t.is(seen[0]?.get('3')?.id, '3');
});

test('a failing revalidateMany is logged and closes nothing', async (t) => {
  const warnings: string[] = [];
  const revalidator = new AppRevalidator(
    {
      findByKey: () => undefined,
      findById: () => undefined,
      revalidateIntervalMs: 1_000,
      revalidateMany: () => Promise.reject(new Error('bug')),
    },
    { connectedAppIds: () => new Set(['1']), appsChanged: () => t.fail('nothing changed') },
    { ...silentLogger, warn: (message) => warnings.push(message) },
  );
  await revalidator.tick();
  t.deepEqual(warnings, ['app revalidation failed']);
});
