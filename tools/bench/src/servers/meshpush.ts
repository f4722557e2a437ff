import { fetchClusterStatus, spawnNode, waitForMesh, type NodeProcess } from '@meshpush/dev-cluster';
import { cleanEnv, freePort } from '@meshpush/test-support';
import { DEFAULT_APP } from '../load/signer.js';
import type { BenchCertificates } from '../util/certs.js';
import { track } from '../util/cleanup.js';
import { startBroker, type RunningBroker } from './brokers.js';
import { wsUrl, type Driver, type MeshNodeCounters, type ServerGroup, type TlsMode } from './ServerGroup.js';
import { unsupportedMessage, variantSettings } from './unsupported.js';

export interface MeshpushOptions {
  /** `local` (1 node), `cluster` (the mesh), `nats` or `redis` (a broker the bench starts). */
  readonly driver: Exclude<Driver, 'uws-baseline'>;
  readonly nodes: number;
  /** @default 'none' */
  readonly tls?: TlsMode;
  /** Required when `tls` is not `none`. */
  readonly certs?: BenchCertificates | undefined;
  /** Write a `--cpu-prof` profile of each node into this directory. */
  readonly profileDir?: string | undefined;
}

const STOP_GRACE_MS = 8000;
const MESH_TIMEOUT_MS = 20_000;

/**
 * Starts `meshpush start` processes on 127.0.0.1 with port 0 (and their broker), and waits until
 * the mesh has formed. A node that refuses a setting this build does not support fails the start
 * with "this build does not support …".
 */
export async function startMeshpush(options: MeshpushOptions): Promise<ServerGroup> {
  const tls = options.tls ?? 'none';
  let broker: RunningBroker | undefined;
  const nodes: NodeProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop(STOP_GRACE_MS)));
    await broker?.stop();
  };
  try {
    if (options.driver === 'nats' || options.driver === 'redis') broker = await startBroker(options.driver);
    const env = await meshpushEnv(options, tls, broker);
    const nodeArgs = options.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.profileDir];
    for (let i = 0; i < options.nodes; i++) {
      const node = spawnNode({ name: `meshpush-${i + 1}`, env, nodeArgs });
      track(node.child);
      nodes.push(node);
      await node.ready.catch((error: unknown) => {
        throw new Error(
          unsupportedMessage(variantSettings(options.driver, tls), node.tail()) ??
            (error instanceof Error ? error.message : String(error)),
        );
      });
    }
    const ports = await Promise.all(nodes.map(async (node) => (await node.ready).port));
    if (options.driver === 'cluster' && options.nodes > 1) await waitForNodes(nodes, ports);
    if (tls === 'mesh') await assertMeshTls(ports);
    if (broker !== undefined) await waitForBrokerPeers(ports, broker);
    return {
      driver: options.driver,
      tls,
      ports,
      pids: [...nodes.map((node) => node.pid), ...(broker === undefined ? [] : [broker.pid])],
      clientCa: tls === 'client' ? options.certs?.caPem : undefined,
      wsUrl: (i) => wsUrl(ports[i % ports.length] ?? 0, DEFAULT_APP.key, tls === 'client'),
      meshCounters: () =>
        options.driver === 'cluster' && options.nodes > 1 ? meshCounters(ports) : Promise.resolve(null),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function meshpushEnv(
  options: MeshpushOptions,
  tls: TlsMode,
  broker: RunningBroker | undefined,
): Promise<NodeJS.ProcessEnv> {
  const settings: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    PRESENCE_MAX_MEMBERS: '1000',
    ADAPTER_DRIVER: options.driver,
  };
  if (options.driver === 'cluster')
    Object.assign(settings, { CLUSTER_HOST: '127.0.0.1', CLUSTER_PORT: String(await freePort()) });
  if (broker !== undefined) Object.assign(settings, broker.env);
  if (tls !== 'none' && options.certs === undefined) throw new Error(`TLS variant ${tls} started without certificates`);
  const certs = options.certs;
  if (tls === 'client' && certs) Object.assign(settings, { SSL_CERT: certs.certFile, SSL_KEY: certs.keyFile });
  if (tls === 'mesh' && certs) {
    Object.assign(settings, {
      CLUSTER_TLS_CERT: certs.certFile,
      CLUSTER_TLS_KEY: certs.keyFile,
      CLUSTER_TLS_CA: certs.caFile,
    });
  }
  return cleanEnv(settings);
}

async function waitForNodes(nodes: readonly NodeProcess[], ports: readonly number[]): Promise<void> {
  const ids = nodes.map((node) => node.nodeId());
  if (ids.some((id) => id === undefined)) throw new Error('a meshpush node did not log its mesh node id');
  await waitForMesh({ ports, nodeIds: new Set(ids as string[]), timeoutMs: MESH_TIMEOUT_MS });
}

/**
 * Broker drivers find each other by heartbeats over the broker: waits until every node uses the
 * bench's broker, is connected, and lists every other node as a peer with none still joining,
 * so that presence starts from a whole cluster.
 */
async function waitForBrokerPeers(ports: readonly number[], broker: RunningBroker): Promise<void> {
  const endpoint = `127.0.0.1:${broker.port}`;
  let last = 'no answer yet';
  const deadline = Date.now() + MESH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const statuses = await Promise.all(ports.map((port) => fetchClusterStatus(port).catch(() => undefined)));
    const problems = statuses.flatMap((status, i) => {
      const transport = status?.transport;
      if (transport === undefined) return [`node ${i}: no transport status`];
      if (transport.broker?.endpoint !== undefined && !transport.broker.endpoint.includes(endpoint)) {
        throw new Error(`node ${i} uses the broker at ${transport.broker.endpoint}, not the bench's ${endpoint}`);
      }
      if (transport.broker?.state !== undefined && transport.broker.state !== 'connected')
        return [`node ${i}: broker ${transport.broker.state}`];
      if (transport.peers.length !== ports.length - 1) return [`node ${i}: ${transport.peers.length} peers`];
      return (transport.joining?.length ?? 0) > 0 ? [`node ${i}: ${transport.joining?.length} joining`] : [];
    });
    if (problems.length === 0) return;
    last = problems.join('; ');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the ${broker.kind} nodes did not see each other within ${MESH_TIMEOUT_MS} ms: ${last}`);
}

/** Mesh TLS must really be on: every route of every node reports its TLS session. */
async function assertMeshTls(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    const peers = (await fetchClusterStatus(port)).transport?.peers ?? [];
    const plain = peers.filter((peer) => peer.tls === null || peer.tls === undefined);
    if (plain.length > 0)
      throw new Error(
        `mesh TLS was asked for, but the node on port ${port} reports ${plain.length} route(s) without TLS`,
      );
  }
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
