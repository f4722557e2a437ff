import test from 'ava';
import { rawConnect } from '@meshpush/test-support';
import { databasesAvailable } from './app-manager-support/availability.js';
import { createPostgres } from './app-manager-support/databases.js';
import { startCluster } from './cluster-support/cluster.js';

const available = await databasesAvailable(test, ['postgres']);

if (available)
  test('in a cluster, every node closes its own sockets of an app disabled in the database', async (t) => {
    const db = await createPostgres(t);
    await db.insert({ id: 'app-2', key: 'key-2', secret: 'secret-2' });
    const cluster = await startCluster(t, {
      nodes: 2,
      env: { ...db.env, APP_MANAGER_CACHE_ENABLED: 'true', APP_MANAGER_CACHE_TTL: '1' },
    });
    const sockets = await Promise.all(cluster.nodes.map((node) => rawConnect(t, node.port, '/app/key-2?protocol=7')));
    await db.update('app-2', { enabled: 0 });
    const deadline = new Promise<never>((_, reject) => {
      setTimeout(() => reject(new Error('not closed in 5 s')), 5_000).unref();
    });
    const closed = await Promise.race([Promise.all(sockets.map((socket) => socket.closed)), deadline]);
    t.deepEqual(
      closed.map(({ code }) => code),
      [4003, 4003],
    );
  });
