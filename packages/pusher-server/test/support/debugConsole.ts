import type { ExecutionContext } from 'ava';
import { MemoryNetwork, type MemoryTransport } from '@meshpush/mesh-transport/testing';
import { ClusterAdapter } from '../../src/adapter/cluster/ClusterAdapter.js';
import { createMeshCluster } from '../../src/adapter/cluster/createMeshAdapter.js';
import { defaultServerConfig } from '../../src/config/ServerConfig.js';
import type { DebugRecord } from '../../src/debug/DebugRecord.js';
import { createServer } from '../../src/PusherServer.js';
import type { ServerConfigInput } from '../../src/config/resolveServerConfig.js';
import type { MeshpushServer } from '../../src/ServerApi.js';

export const TOKEN = 'console-token-for-tests';

export interface ConsoleNode {
  readonly server: MeshpushServer;
  readonly transport: MemoryTransport;
  readonly nodeId: string;
}

/** A server with the console on, meshed in memory with the other nodes of `network`. */
export async function startNode(
  t: ExecutionContext,
  network: MemoryNetwork,
  config: ServerConfigInput = {},
): Promise<ConsoleNode> {
  const transport = network.create();
  const adapter = new ClusterAdapter(transport);
  const server = await startConsoleServer(t, adapter, config);
  return { server, transport, nodeId: adapter.nodeId };
}

/** A started server on 127.0.0.1 over `adapter`, with the console on; stopped at teardown. */
async function startConsoleServer(
  t: ExecutionContext,
  adapter: ClusterAdapter,
  config: ServerConfigInput,
): Promise<MeshpushServer> {
  const server = createServer(
    {
      host: '127.0.0.1',
      port: 0,
      adapter: { driver: 'cluster' },
      metrics: { host: '127.0.0.1', port: 0 },
      debugConsole: { enabled: true, token: TOKEN },
      ...config,
    },
    { adapter },
  );
  await server.start();
  t.teardown(() => server.stop());
  return server;
}

export function consoleFetch(
  node: ConsoleNode,
  path: string,
  init: RequestInit = {},
  token = TOKEN,
): Promise<Response> {
  return fetch(`http://127.0.0.1:${node.server.metricsPort}/console${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
  });
}

/** An open live log: what arrived so far, the dropped count, and its close. */
export interface OpenStream {
  readonly records: DebugRecord[];
  dropped: number;
  close(): void;
}

/** Opens the app's stream as the page does (fetch with the token, server-sent events). */
export async function openStream(t: ExecutionContext, node: ConsoleNode, appId = 'app-id'): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await consoleFetch(node, `/api/apps/${appId}/stream`, { signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`stream refused: ${response.status}`);
  const stream: OpenStream = { records: [], dropped: 0, close: () => abort.abort() };
  t.teardown(() => stream.close());
  void readEvents(response.body, stream).catch(() => undefined);
  return stream;
}

async function readEvents(body: ReadableStream<Uint8Array>, stream: OpenStream): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const message = buffered.slice(0, end).replace(/^data: /, '');
      buffered = buffered.slice(end + 2);
      const parsed = JSON.parse(message) as { records: DebugRecord[]; dropped: number };
      stream.records.push(...parsed.records);
      stream.dropped = parsed.dropped;
    }
  }
}

export { MemoryNetwork };

/** A server on a real TCP mesh (loopback, a shared rendezvous port), with the console on. */
export async function startMeshNode(
  t: ExecutionContext,
  clusterPort: number,
  config: ServerConfigInput = {},
): Promise<{ server: MeshpushServer; nodeId: string }> {
  const cluster = {
    ...defaultServerConfig().cluster,
    host: '127.0.0.1',
    port: clusterPort,
    checkIntervalMs: 200,
    nodeTimeoutMs: 1000,
    masterTimeoutMs: 500,
  };
  const { adapter } = createMeshCluster(cluster);
  const server = await startConsoleServer(t, adapter, { cluster, ...config });
  return { server, nodeId: adapter.nodeId };
}

/** What the public `/cluster` shows of each peer's route: its subjects and frames by type. */
export interface RouteStatus {
  readonly nodeId: string;
  readonly subjects: number;
  readonly framesOutByType: Record<string, number>;
}

export async function routes(server: MeshpushServer): Promise<RouteStatus[]> {
  const status = (await (await fetch(`http://127.0.0.1:${server.port}/cluster`)).json()) as {
    transport: { peers: RouteStatus[] };
  };
  return status.transport.peers;
}
