import { once } from 'node:events';
import type { ExecutionContext } from 'ava';
import { Mesh, type MeshOptions } from '../../src/index.js';
import { waitFor } from './waitFor.js';

/** Starts a mesh node in this process; it is closed in teardown. */
export async function startMesh(t: ExecutionContext, options: MeshOptions): Promise<Mesh> {
  const mesh = await Mesh.start({ host: '127.0.0.1', ...options });
  t.teardown(() => mesh.close());
  return mesh;
}

/** Waits until each node sees every other one as a peer. */
export function waitForPeers(nodes: readonly Mesh[], deadlineMs = 10_000): Promise<boolean> {
  return waitFor(
    () => nodes.every((node) => nodes.every((other) => other === node || node.peers().includes(other.nodeId))),
    deadlineMs,
    () => `mesh did not form: ${nodes.map((node) => `${node.nodeId} sees [${node.peers().join(', ')}]`).join('; ')}`,
  );
}

/** Waits until `node` knows that `peer` subscribes to `count` subjects. */
export function waitForInterest(node: Mesh, peer: Mesh, count: number, deadlineMs = 5000): Promise<boolean> {
  return waitFor(
    () => node.stats().peers.find((p) => p.nodeId === peer.nodeId)?.subjects === count,
    deadlineMs,
    `${node.nodeId} did not learn ${count} subjects of ${peer.nodeId}`,
  );
}

export function nextEvent<T extends unknown[]>(
  mesh: Mesh,
  event: 'peer-up' | 'peer-down' | 'message' | 'broadcast',
): Promise<T> {
  return once(mesh, event) as Promise<T>;
}
