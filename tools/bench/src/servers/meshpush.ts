import { fetchClusterStatus, spawnNode, waitForMesh, type NodeProcess } from '@meshpush/dev-cluster';
import { DEFAULT_APP } from '../load/signer.js';
import { track } from '../util/cleanup.js';
import { cleanEnv, freePort } from './ports.js';
import { wsUrl, type MeshNodeCounters, type ServerGroup } from './ServerGroup.js';

export interface MeshpushOptions {
  /** 1: the local adapter; more: `ADAPTER_DRIVER=cluster` meshed on one rendezvous port. */
  readonly nodes: number;
  /** Write a `--cpu-prof` profile of each node into this directory. */
  readonly profileDir?: string | undefined;
}

const STOP_GRACE_MS = 8000;
const MESH_TIMEOUT_MS = 20_000;

/** Starts `meshpush start` processes on 127.0.0.1 with port 0, and waits for the mesh. */
export async function startMeshpush(options: MeshpushOptions): Promise<ServerGroup> {
  const env = await meshpushEnv(options.nodes);
  const nodeArgs = options.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.profileDir];
  const nodes: NodeProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop(STOP_GRACE_MS)));
  };
  try {
    for (let i = 0; i < options.nodes; i++) {
      const node = spawnNode({ name: `meshpush-${i + 1}`, env, nodeArgs });
      track(node.child);
      nodes.push(node);
      await node.ready;
    }
    const ports = await Promise.all(nodes.map(async (node) => (await node.ready).port));
    if (options.nodes > 1) await waitForNodes(nodes, ports);
    return {
      driver: options.nodes > 1 ? 'cluster' : 'local',
      ports,
      pids: nodes.map((node) => node.pid),
      wsUrl: (i) => wsUrl(ports[i % ports.length] ?? 0, DEFAULT_APP.key),
      meshCounters: () => (options.nodes > 1 ? meshCounters(ports) : Promise.resolve(null)),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function meshpushEnv(nodes: number): Promise<NodeJS.ProcessEnv> {
  const common = { HOST: '127.0.0.1', PORT: '0', PRESENCE_MAX_MEMBERS: '1000' };
  if (nodes <= 1) return cleanEnv({ ...common, ADAPTER_DRIVER: 'local' });
  const cluster = { ADAPTER_DRIVER: 'cluster', CLUSTER_HOST: '127.0.0.1', CLUSTER_PORT: String(await freePort()) };
  return cleanEnv({ ...common, ...cluster });
}

async function waitForNodes(nodes: readonly NodeProcess[], ports: readonly number[]): Promise<void> {
  const ids = nodes.map((node) => node.nodeId());
  if (ids.some((id) => id === undefined)) throw new Error('a meshpush node did not log its mesh node id');
  await waitForMesh({ ports, nodeIds: new Set(ids as string[]), timeoutMs: MESH_TIMEOUT_MS });
}

async function meshCounters(ports: readonly number[]): Promise<MeshNodeCounters[]> {
  return Promise.all(
    ports.map(async (port, node) => {
      const peers = (await fetchClusterStatus(port)).transport?.peers ?? [];
      const sum = (pick: (peer: (typeof peers)[number]) => number | undefined): number =>
        peers.reduce((total, peer) => total + (pick(peer) ?? 0), 0);
      return { node, pubIn: sum((p) => p.framesInByType?.['PUB']), pubOut: sum((p) => p.framesOutByType?.['PUB']) };
    }),
  );
}
