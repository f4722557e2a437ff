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
