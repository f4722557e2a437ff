import type { ExecutionContext } from 'ava';
import { Mesh } from '@meshpush/mesh-transport';
import { freePort, waitFor } from '@meshpush/test-support';

/** `count` real mesh nodes on loopback sharing one rendezvous port, closed at teardown. */
export async function startMeshes(t: ExecutionContext, count: number): Promise<Mesh[]> {
  const port = await freePort();
  const nodes: Mesh[] = [];
  for (let i = 0; i < count; i++) {
    const mesh = await Mesh.start({
      host: '127.0.0.1',
      port,
      checkIntervalMs: 200,
      nodeTimeoutMs: 1000,
      masterTimeoutMs: 500,
    });
    t.teardown(() => mesh.close());
    nodes.push(mesh);
  }
  await waitFor(() => nodes.every((n) => n.peers().length === count - 1), {
    timeoutMs: 10_000,
    message: 'the mesh to form',
  });
  return nodes;
}
