import { fetchClusterStatus, spawnNode, type NodeProcess } from '@meshpush/dev-cluster';
import { cleanEnv, freePort } from '@meshpush/test-support';
import { DEFAULT_APP } from '../load/signer.js';
import { track } from '../util/cleanup.js';
import { nowMs, sleep } from '../util/time.js';
import { wsUrl, type ServerGroup } from './ServerGroup.js';

/** How a mesh of N processes came together. */
export interface Formation {
  /** First spawn → the last process's ready line (process start, mostly). */
  readonly startToReadyMs: number;
  /** The last ready line → every node logged a route up to every other node. */
  readonly formationMs: number;
}

export interface ScaleCluster {
  readonly group: ServerGroup;
  readonly formation: Formation;
}

const STOP_GRACE_MS = 8000;
/** 64 processes starting at once on 2 cores need far longer than the usual 20 s. */
const READY_TIMEOUT_MS = 180_000;
const FORMATION_TIMEOUT_MS = 120_000;
const PEER_UP = /mesh: peer up nodeId=([0-9a-f]+)/;
const PEER_DOWN = /mesh: peer down nodeId=([0-9a-f]+)/;

/**
 * N `meshpush start` processes on 127.0.0.1 sharing one free `CLUSTER_PORT`, with default mesh
 * settings. The first takes the rendezvous port; the others start all at once, as PM2 or a
 * Deployment would start them. Formation is read from the nodes' own `peer up` log lines as they
 * come, so measuring it does not load the nodes with polling.
 */
export async function startScaleCluster(count: number, profileDir: string | undefined): Promise<ScaleCluster> {
  const env = cleanEnv({
    HOST: '127.0.0.1',
    PORT: '0',
    PRESENCE_MAX_MEMBERS: '1000',
    ADAPTER_DRIVER: 'cluster',
    CLUSTER_HOST: '127.0.0.1',
    CLUSTER_PORT: String(await freePort()),
  });
  const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const views: Set<string>[] = [];
  const nodes: NodeProcess[] = [];
  const stop = async (): Promise<void> => void (await Promise.all(nodes.map((node) => node.stop(STOP_GRACE_MS))));
  let formedAt: number | undefined;
  const onPeerLine = (): void => {
    if (formedAt === undefined && views.length === count && views.every((view) => view.size === count - 1))
      formedAt = nowMs();
  };
  try {
    const startedAt = nowMs();
    for (let i = 0; i < count; i++) {
      const view = new Set<string>();
      views.push(view);
      const node = spawnNode(
        { name: `scale-${i + 1}`, env, nodeArgs, onLine: (line) => trackPeers(line, view, onPeerLine) },
        READY_TIMEOUT_MS,
      );
      track(node.child);
      nodes.push(node);
      if (i === 0) await node.ready;
    }
    const ready = await Promise.all(nodes.map((node) => node.ready.then((info) => ({ ...info, at: nowMs() }))));
    const lastReadyAt = Math.max(...ready.map((info) => info.at));
    const formed = await waitForFormation(
      () => formedAt,
      ready.map((info) => info.port),
      count,
    );
    const group = scaleGroup(
      ready.map((info) => info.port),
      nodes,
      stop,
    );
    return {
      group,
      formation: { startToReadyMs: lastReadyAt - startedAt, formationMs: Math.max(0, formed - lastReadyAt) },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function trackPeers(line: string, view: Set<string>, changed: () => void): void {
  const up = PEER_UP.exec(line)?.[1];
  if (up !== undefined) view.add(up);
  const down = PEER_DOWN.exec(line)?.[1];
  if (down !== undefined) view.delete(down);
  if (up !== undefined || down !== undefined) changed();
}

/** Waits for the log lines to show a full mesh, then checks it once through `GET /cluster`. */
async function waitForFormation(
  formedAt: () => number | undefined,
  ports: readonly number[],
  count: number,
): Promise<number> {
  const deadline = Date.now() + FORMATION_TIMEOUT_MS;
  while (formedAt() === undefined) {
    if (Date.now() > deadline)
      throw new Error(`${count} nodes did not form a full mesh within ${FORMATION_TIMEOUT_MS} ms`);
    await sleep(10);
  }
  const statuses = await Promise.all(ports.map((port) => fetchClusterStatus(port)));
  const short = statuses.filter((status) => (status.transport?.peers.length ?? 0) !== count - 1).length;
  if (short > 0)
    throw new Error(`the logs showed a full mesh, but ${short} node(s) list fewer than ${count - 1} peers`);
  return formedAt() as number;
}

function scaleGroup(ports: readonly number[], nodes: readonly NodeProcess[], stop: () => Promise<void>): ServerGroup {
  return {
    driver: 'cluster',
    tls: 'none',
    ports,
    pids: nodes.map((node) => node.pid),
    clientCa: undefined,
    wsUrl: (i) => wsUrl(ports[i % ports.length] ?? 0, DEFAULT_APP.key, false),
    // Mesh frame counts of a fan-out are checked by the cluster variant; here they would cost
    // N requests of N peers each.
    meshCounters: () => Promise.resolve(null),
    stop,
  };
}
