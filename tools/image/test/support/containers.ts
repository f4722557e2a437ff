import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@meshpush/test-support';
import { podman, ULIMITS } from '../../src/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');

/**
 * The build context: the checkout itself, or with MESHPUSH_IMAGE_SOURCE=HEAD a `git archive` of
 * the last commit (a tree shared with work in progress may not build at every moment).
 */
export async function buildContext(): Promise<{ dir: string; dispose: () => Promise<void> }> {
  if (process.env['MESHPUSH_IMAGE_SOURCE'] !== 'HEAD') return { dir: REPO_ROOT, dispose: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'meshpush-image-context-'));
  execFileSync('sh', ['-c', `git -C "${REPO_ROOT}" archive HEAD | tar -x -C "${dir}"`]);
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** One container on the host network, bound to loopback only. */
export interface Node {
  readonly name: string;
  readonly port: number;
  readonly clusterPort: number;
}

/** Free loopback ports for `count` nodes: each its own public and mesh port. */
export async function planNodes(prefix: string, count: number): Promise<Node[]> {
  const nodes: Node[] = [];
  for (let i = 1; i <= count; i++)
    nodes.push({ name: `${prefix}-${i}`, port: await freePort(), clusterPort: await freePort() });
  return nodes;
}

/** Starts `node` from `image`, seeded with every node's mesh address on 127.0.0.1. */
export async function runNode(image: string, node: Node, all: readonly Node[]): Promise<void> {
  const env = {
    HOST: '127.0.0.1',
    PORT: String(node.port),
    ADAPTER_DRIVER: 'cluster',
    CLUSTER_HOST: '127.0.0.1',
    CLUSTER_PORT: String(node.clusterPort),
    CLUSTER_SEEDS: all.map((other) => `127.0.0.1:${other.clusterPort}`).join(','),
    // Long, so that a peer dropped within it was dropped by its BYE, not by the timeout.
    CLUSTER_NODE_TIMEOUT: '10000',
    METRICS_ENABLED: 'false',
  };
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  await podman(['run', '--detach', '--name', node.name, '--network', 'host', ...ULIMITS, ...envArgs, image], 60_000);
}

/** Removes containers by name, running or not; never fails (for teardown). */
export async function removeContainers(names: readonly string[]): Promise<void> {
  for (const name of names) await podman(['rm', '--force', '--time', '0', '--ignore', name]).catch(() => undefined);
}

export async function waitReady(node: Node): Promise<void> {
  await waitFor(async () => (await fetch(`http://127.0.0.1:${node.port}/ready`)).ok, {
    timeoutMs: 30_000,
    message: `${node.name} ready`,
  });
}

export async function peerCount(node: Node): Promise<number> {
  const body = (await (await fetch(`http://127.0.0.1:${node.port}/cluster`)).json()) as {
    transport?: { peers?: unknown[] };
  };
  return body.transport?.peers?.length ?? 0;
}
