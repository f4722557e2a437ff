import { createServer } from 'node:net';
import type { ExecutionContext } from 'ava';
import { Mesh } from '@meshpush/mesh-transport';

/** A TCP port that was free on 127.0.0.1 a moment ago (the mesh's rendezvous port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

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
  await waitFor(() => nodes.every((n) => n.peers().length === count - 1), 10_000, 'the mesh did not form');
  return nodes;
}

export async function waitFor(condition: () => boolean, deadlineMs: number, message: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${deadlineMs} ms: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
