import { freePort } from '@meshpush/test-support';
import { startServer, waitFor, type RunningServer, type TeardownHost } from '../support/server.js';

/** Timings shortened for tests; the defaults (500 / 2000 / 2000 ms) behave the same, only slower. */
export const TEST_CLUSTER_TIMING = Object.freeze({ checkIntervalMs: 200, nodeTimeoutMs: 1000, masterTimeoutMs: 500 });

// The mesh's rendezvous port in tests: a port that was free a moment ago on 127.0.0.1.
export { freePort };

export interface ClusterOptions {
  /** @default 3 */
  nodes?: number;
  /**
   * `local` runs one process with the local adapter: the contract suite's reference. `nats` and
   * `redis` need the broker's address in `env` (ADAPTER_NATS_SERVERS, DB_REDIS_PORT).
   */
  driver?: 'local' | 'cluster' | 'nats' | 'redis';
  env?: Record<string, string>;
}

export interface TestCluster {
  readonly nodes: RunningServer[];
  readonly env: Record<string, string>;
  /** Node `i`, wrapping around, so tests can spread clients without knowing the size. */
  node(i: number): RunningServer;
  /** Starts one more node with the same settings and waits until every running node sees it. */
  addNode(): Promise<RunningServer>;
}

/** Environment of a cluster node in tests: loopback only, a private rendezvous port, short timeouts. */
export async function clusterEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    ADAPTER_DRIVER: 'cluster',
    CLUSTER_HOST: '127.0.0.1',
    CLUSTER_PORT: String(await freePort()),
    CLUSTER_CHECK_INTERVAL: String(TEST_CLUSTER_TIMING.checkIntervalMs),
    CLUSTER_NODE_TIMEOUT: String(TEST_CLUSTER_TIMING.nodeTimeoutMs),
    CLUSTER_MASTER_TIMEOUT: String(TEST_CLUSTER_TIMING.masterTimeoutMs),
    ...extra,
  };
}

/** Starts `nodes` meshed `meshpush` processes (or one local one) and waits for a full mesh. */
export async function startCluster(t: TeardownHost, options: ClusterOptions = {}): Promise<TestCluster> {
  const driver = options.driver ?? 'cluster';
  const size = driver === 'local' ? 1 : (options.nodes ?? 3);
  const env = driver === 'local' ? { ...options.env } : await clusterEnv({ ADAPTER_DRIVER: driver, ...options.env });
  const nodes: RunningServer[] = [];
  for (let i = 0; i < size; i++) nodes.push(await startServer(t, { env }));
  if (driver !== 'local') await waitForMesh(nodes);
  return {
    nodes,
    env,
    node: (i) => nodes[i % nodes.length] as RunningServer,
    addNode: async () => {
      const added = await startServer(t, { env });
      nodes.push(added);
      await waitForMesh(nodes.filter(isRunning));
      return added;
    },
  };
}

/** False once the process exited (killed nodes stay in `nodes` so indexes stay stable). */
export function isRunning(node: RunningServer): boolean {
  return node.child.exitCode === null && node.child.signalCode === null;
}

export interface ClusterStatus {
  driver: string;
  nodeId?: string;
  draining: boolean;
  transport?: {
    peers: Array<{ nodeId: string; rttMs: number | null; [key: string]: unknown }>;
    [key: string]: unknown;
  };
}

export async function clusterStatus(node: RunningServer): Promise<ClusterStatus> {
  const response = await fetch(`${node.httpBase}/cluster`);
  return (await response.json()) as ClusterStatus;
}

/** Waits until every node lists exactly the other nodes as peers. */
export async function waitForMesh(nodes: readonly RunningServer[], timeoutMs = 15_000): Promise<void> {
  let last = '';
  try {
    await waitFor(
      async () => {
        const statuses = await Promise.all(nodes.map(clusterStatus));
        const ids = statuses.map((s) => s.nodeId);
        last = statuses
          .map((s) => `${s.nodeId} sees [${(s.transport?.peers ?? []).map((p) => p.nodeId).join(', ')}]`)
          .join('; ');
        return statuses.every((s) => {
          const peers = new Set((s.transport?.peers ?? []).map((p) => p.nodeId));
          return (
            peers.size === nodes.length - 1 && ids.every((id) => id === s.nodeId || (id !== undefined && peers.has(id)))
          );
        });
      },
      { timeoutMs, message: 'a full mesh', intervalMs: 50 },
    );
  } catch (error) {
    throw new Error(`${String(error)}\n${last}`);
  }
}
