import test from 'ava';
import { freePort } from '@meshpush/test-support';
import { METRICS_ENV } from './metrics-support.js';
import { runCli, startServer } from './support/server.js';

test('the metrics port is never shared: a second process on it exits 1', async (t) => {
  const port = String(await freePort());
  await startServer(t, { env: { ...METRICS_ENV, METRICS_SERVER_PORT: port } });
  const second = await runCli(['start', '--host', '127.0.0.1', '--port', '0'], {
    env: {
      ...METRICS_ENV,
      METRICS_SERVER_PORT: port,
      ADAPTER_DRIVER: 'cluster',
      CLUSTER_HOST: '127.0.0.1',
      CLUSTER_PORT: String(await freePort()),
    },
  });
  t.is(second.code, 1);
  t.regex(second.stderr, new RegExp(`Cannot listen for metrics on 127\\.0\\.0\\.1:${port}: the port is in use`));
});
