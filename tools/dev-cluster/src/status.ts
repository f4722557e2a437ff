import { request } from 'node:http';

/** One peer as `GET /cluster` lists it (fields the tools read; the endpoint has more). */
export interface PeerStatus {
  readonly nodeId: string;
  readonly rttMs: number | null;
  readonly framesIn?: number;
  readonly framesOut?: number;
  readonly framesInByType?: Readonly<Record<string, number>>;
  readonly framesOutByType?: Readonly<Record<string, number>>;
  /** Null on a plain route; absent from builds without mesh TLS. */
  readonly tls?: { readonly peerCertificate: unknown } | null;
}

/** The body of `GET /cluster`. */
export interface ClusterStatus {
  readonly driver: string;
  readonly nodeId?: string;
  readonly transport?: {
    readonly peers: readonly PeerStatus[];
    /** Broker transports (nats, redis): nodes seen but not yet synchronised. */
    readonly joining?: readonly unknown[];
    /** Broker transports: the broker this node uses. */
    readonly broker?: { readonly endpoint?: string; readonly state?: string };
  };
}

const REQUEST_TIMEOUT_MS = 2000;

/**
 * `GET http://127.0.0.1:<port>/cluster` on a fresh connection (no keep-alive): with a shared port
 * each request may land on another node, so a pooled connection would always ask the same one.
 */
export function fetchClusterStatus(port: number): Promise<ClusterStatus> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/cluster', agent: false, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as ClusterStatus);
          } catch (error) {
            reject(
              new Error(`GET /cluster on port ${port} answered ${res.statusCode} with invalid JSON`, { cause: error }),
            );
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET /cluster on port ${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The statuses of the nodes behind `ports`, keyed by node id. A port shared by several nodes is
 * asked up to `triesPerPort` times, until every expected id has answered.
 */
export async function collectStatuses(
  ports: readonly number[],
  expectedIds: ReadonlySet<string>,
  triesPerPort: number,
): Promise<Map<string, ClusterStatus>> {
  const found = new Map<string, ClusterStatus>();
  const unique = new Set(ports);
  const tries = unique.size === ports.length ? 1 : triesPerPort;
  for (const port of unique) {
    for (let i = 0; i < tries && found.size < expectedIds.size; i++) {
      const status = await fetchClusterStatus(port);
      if (status.nodeId !== undefined) found.set(status.nodeId, status);
    }
  }
  return found;
}

/** Whether every expected node lists exactly the others as peers, each with a measured RTT. */
export function meshFormed(statuses: ReadonlyMap<string, ClusterStatus>, expectedIds: ReadonlySet<string>): boolean {
  if (statuses.size !== expectedIds.size) return false;
  for (const [id, status] of statuses) {
    const peers = status.transport?.peers ?? [];
    const others = new Set(peers.map((peer) => peer.nodeId));
    if (others.size !== expectedIds.size - 1 || others.has(id)) return false;
    if (![...others].every((other) => expectedIds.has(other))) return false;
    if (peers.some((peer) => peer.rttMs === null)) return false;
  }
  return true;
}

export interface WaitForMeshOptions {
  /** The HTTP port of each node (the same port repeated with `--same-port`). */
  readonly ports: readonly number[];
  readonly nodeIds: ReadonlySet<string>;
  readonly timeoutMs: number;
  /** @default 100 */
  readonly intervalMs?: number;
}

/** Polls `GET /cluster` until the mesh is full (see `meshFormed`) or the deadline passes. */
export async function waitForMesh(options: WaitForMeshOptions): Promise<Map<string, ClusterStatus>> {
  const deadline = Date.now() + options.timeoutMs;
  const triesPerPort = options.nodeIds.size * 8;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const statuses = await collectStatuses(options.ports, options.nodeIds, triesPerPort);
      if (meshFormed(statuses, options.nodeIds)) return statuses;
      last = describe(statuses);
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
  throw new Error(`the mesh did not form within ${options.timeoutMs} ms: ${last}`);
}

function describe(statuses: ReadonlyMap<string, ClusterStatus>): string {
  const parts = [...statuses].map(([id, status]) => {
    const peers = (status.transport?.peers ?? []).map((peer) => `${peer.nodeId} rtt ${peer.rttMs ?? '?'}`);
    return `${id} sees [${peers.join(', ')}]`;
  });
  return parts.join('; ') || 'no node answered';
}
