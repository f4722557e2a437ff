import test from 'ava';
import { defaultServerConfig, type ServerConfig } from '@meshpush/pusher-server';
import { createAdapter } from '../src/drivers.js';
import { DriverUnavailableError } from '../src/config/errors.js';
import { defaultSettings } from '../src/config/settings.js';

function clusterConfig(patch: Partial<ServerConfig['cluster']>): ServerConfig {
  const config = defaultServerConfig();
  return {
    ...config,
    adapter: { ...config.adapter, driver: 'cluster' },
    cluster: { ...config.cluster, host: '127.0.0.1', port: 0, ...patch },
  };
}

test('the local driver builds a local adapter', async (t) => {
  const { adapter, transport } = await createAdapter(defaultServerConfig(), defaultSettings().brokers, silent);
  t.is(adapter.driver, 'local');
  t.is(transport, undefined);
});

test('the cluster driver joins a mesh and builds a cluster adapter', async (t) => {
  const { adapter, transport } = await createAdapter(clusterConfig({}), defaultSettings().brokers, silent);
  t.teardown(() => transport?.close());
  t.is(adapter.driver, 'cluster');
  t.is(adapter.status().nodeId, transport?.nodeId);
});

test('a cluster driver that cannot start rejects with a clear error and never falls back to local', async (t) => {
  const error = await t.throwsAsync(
    createAdapter(clusterConfig({ checkIntervalMs: 0 }), defaultSettings().brokers, silent),
  );
  t.true(error instanceof DriverUnavailableError);
  t.regex(error?.message ?? '', /cluster adapter could not join the mesh on 127\.0\.0\.1:0/);
});

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
