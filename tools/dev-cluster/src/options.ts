/** Settings of one `dev:cluster` run. */
export interface DevClusterOptions {
  /** @default 3 */
  readonly nodes: number;
  /** WebSocket/HTTP port of node-1; node-N gets `basePort + N - 1` unless `samePort`. @default 6001 */
  readonly basePort: number;
  /** Every node binds `basePort` (SO_REUSEPORT; the kernel splits new connections). @default false */
  readonly samePort: boolean;
  /** Metrics port of node-1; node-N gets `metricsBasePort + N - 1` (metrics never share). @default 9601 */
  readonly metricsBasePort: number;
  /** The mesh rendezvous port, the same for every node. @default 11002 */
  readonly clusterPort: number;
  /** Run the turbo build first. @default true */
  readonly build: boolean;
  /** How long the mesh may take to form. @default 20000 */
  readonly meshTimeoutMs: number;
  /** Given to each node for its drain before SIGKILL. @default 6000 */
  readonly stopGraceMs: number;
}

export const MAX_NODES = 16;

export const DEFAULT_OPTIONS: DevClusterOptions = Object.freeze({
  nodes: 3,
  basePort: 6001,
  samePort: false,
  metricsBasePort: 9601,
  clusterPort: 11002,
  build: true,
  meshTimeoutMs: 20_000,
  stopGraceMs: 6000,
});

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses a decimal integer in `[min, max]`, naming the flag when it is not one. */
export function parseIntIn(flag: string, min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
}

/** The ports the nodes will use, checked against each other and the 16-bit range. */
export function nodePorts(options: DevClusterOptions): { ws: number[]; metrics: number[] } {
  const ws: number[] = [];
  const metrics: number[] = [];
  for (let i = 0; i < options.nodes; i++) {
    ws.push(options.samePort ? options.basePort : options.basePort + i);
    metrics.push(options.metricsBasePort + i);
  }
  const all = [...new Set(ws), ...metrics, options.clusterPort];
  if (all.some((port) => port > 65535)) throw new UsageError(`ports run past 65535: ${all.join(', ')}`);
  if (new Set(all).size !== all.length) {
    throw new UsageError(`the WebSocket, metrics and cluster ports overlap: ${all.join(', ')}`);
  }
  return { ws, metrics };
}

/** The environment of node `i`: the caller's, with the cluster settings forced to loopback. */
export function nodeEnv(
  base: NodeJS.ProcessEnv,
  options: DevClusterOptions,
  wsPort: number,
  metricsPort: number,
): NodeJS.ProcessEnv {
  const forced: Record<string, string> = {
    ADAPTER_DRIVER: 'cluster',
    HOST: '127.0.0.1',
    PORT: String(wsPort),
    CLUSTER_HOST: '127.0.0.1',
    CLUSTER_PORT: String(options.clusterPort),
    METRICS_ENABLED: 'true',
    METRICS_HOST: '127.0.0.1',
    METRICS_SERVER_PORT: String(metricsPort),
  };
  const env: NodeJS.ProcessEnv = { ...base };
  // meshpush refuses `X` and `SOKETI_X` with different values; ours must win, not conflict.
  for (const name of Object.keys(forced)) delete env[`SOKETI_${name}`];
  return { ...env, ...forced };
}
