import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { brokerAvailable, BrokerProcess } from './broker-support/brokers.js';
import {
  brokersRequired,
  findBroker,
  freePort,
  nextEvent,
  pusherClient,
  pusherSdk,
  subscribed,
  waitFor,
} from '@meshpush/test-support';
import { clusterEnv, startCluster, waitForMesh } from './cluster-support/cluster.js';
import { startServer } from './support/server.js';

// Sentinel and Redis Cluster, with the redis-server binary in those roles: the DB_REDIS_*
// settings must reach ioredis so that nodes meet through them.

/** A redis-server (any role) on 127.0.0.1 that the test kills at teardown. */
async function redisRole(t: ExecutionContext, args: string[], port: number): Promise<() => void> {
  const child = spawn(findBroker('redis') ?? 'redis-server', args, { stdio: 'ignore' });
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  t.teardown(kill);
  await waitFor(async () => (await redisCli(['-p', String(port), 'PING']).catch(() => '')).includes('PONG'), {
    timeoutMs: 10_000,
    message: `redis on ${port}`,
  });
  return kill;
}

async function redisCli(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(redisCliPath(), ['-h', '127.0.0.1', ...args], { timeout: 10_000 });
  return stdout;
}

/** redis-cli next to redis-server (both come in the same package). */
function redisCliPath(): string {
  return join(dirname(findBroker('redis') ?? '/usr/bin/redis-server'), 'redis-cli');
}

function scratchDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'meshpush-redis-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function eventCrossesNodes(t: ExecutionContext, env: Record<string, string>): Promise<void> {
  const cluster = await startCluster(t, { driver: 'redis', nodes: 2, env });
  const client = pusherClient(t, cluster.node(0));
  const { channel } = await subscribed(client, 'topology-check');
  const got = nextEvent(channel, 'hello');
  await pusherSdk(cluster.node(1)).trigger('topology-check', 'hello', { via: 'other node' });
  t.deepEqual(await got, { via: 'other node' });
}

const cliMissing = `Sentinel and Redis Cluster tests need ${redisCliPath()}, not found`;
if (!brokerAvailable(test, 'redis')) {
  // brokerAvailable registered the skip (or, with MESHPUSH_REQUIRE_BROKERS=1, the failure).
} else if (!existsSync(redisCliPath())) {
  if (brokersRequired()) test('redis-cli', (t) => t.fail(cliMissing));
  else test.skip(cliMissing, () => undefined);
} else {
  test.serial('Sentinel: nodes find the master through DB_REDIS_SENTINELS and DB_REDIS_INSTANCE_NAME', async (t) => {
    const master = await BrokerProcess.start('redis');
    t.teardown(() => master.kill());
    const sentinelPort = await freePort();
    const config = join(scratchDir(t), 'sentinel.conf');
    writeFileSync(config, `port ${sentinelPort}\nbind 127.0.0.1\nsentinel monitor main 127.0.0.1 ${master.port} 1\n`);
    await redisRole(t, [config, '--sentinel'], sentinelPort);
    await eventCrossesNodes(t, {
      DB_REDIS_SENTINELS: `[{"host":"127.0.0.1","port":${sentinelPort}}]`,
      DB_REDIS_INSTANCE_NAME: 'main',
      DB_REDIS_PORT: '1',
    });
  });

  test.serial(
    'Redis Cluster: ADAPTER_REDIS_CLUSTER_MODE with nodes on different members; a dead member is left for the next listed one',
    async (t) => {
      const dir = scratchDir(t);
      const ports = [await freePort(), await freePort(), await freePort()];
      const killers: Array<() => void> = [];
      for (const port of ports) {
        const args = [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-require-full-coverage',
          'no',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ];
        killers.push(await redisRole(t, args, port));
      }
      await redisCli([
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
      await waitFor(
        async () => (await redisCli(['-p', String(ports[0]), 'CLUSTER', 'INFO'])).includes('cluster_state:ok'),
        { timeoutMs: 15_000, message: 'cluster_state:ok' },
      );
      // Each meshpush node lists a different member first, so their messages cross the cluster bus.
      const listed = (first: number, second: number) => [first, second].map((p) => `127.0.0.1:${p}`).join(',');
      const timing = await clusterEnv({ ADAPTER_DRIVER: 'redis', ADAPTER_REDIS_CLUSTER_MODE: 'true' });
      const nodes = [
        await startServer(t, { env: { ...timing, DB_REDIS_CLUSTER_NODES: listed(ports[0]!, ports[1]!) } }),
        await startServer(t, { env: { ...timing, DB_REDIS_CLUSTER_NODES: listed(ports[1]!, ports[0]!) } }),
      ];
      await waitForMesh(nodes);
      const client = pusherClient(t, nodes[0]!);
      const { channel } = await subscribed(client, 'topology-cluster');
      const got = nextEvent(channel, 'hello');
      await pusherSdk(nodes[1]!).trigger('topology-cluster', 'hello', { n: 1 });
      t.deepEqual(await got, { n: 1 });

      // The member the first node talks to dies: it moves on to the next listed member and relinks.
      killers[0]!();
      await waitFor(async () => (await fetch(`${nodes[0]!.httpBase}/ready`)).status === 503, {
        timeoutMs: 10_000,
        message: 'the first node notices',
      });
      await waitFor(async () => (await fetch(`${nodes[0]!.httpBase}/ready`)).status === 200, {
        timeoutMs: 20_000,
        message: 'the first node reconnects elsewhere',
      });
      await waitForMesh(nodes, 20_000);
      const again = nextEvent(channel, 'hello');
      await pusherSdk(nodes[1]!).trigger('topology-cluster', 'hello', { n: 2 });
      t.deepEqual(await again, { n: 2 });
    },
  );
}
