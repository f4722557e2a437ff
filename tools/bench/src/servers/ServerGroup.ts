/** The kind of server a scenario measures, as it appears in the `driver` field. */
export type Driver = 'uws-baseline' | 'local' | 'cluster' | 'nats' | 'redis';

/**
 * Which TLS a variant adds: `client` = WebSocket and HTTP API over TLS (`SSL_CERT`/`SSL_KEY`),
 * `mesh` = mutual TLS between cluster nodes (`CLUSTER_TLS_*`), `none` = plain.
 */
export type TlsMode = 'none' | 'client' | 'mesh';

/** Mesh data frames (`PUB`) one node has sent and received, summed over its peers. */
export interface MeshNodeCounters {
  readonly node: number;
  readonly pubIn: number;
  readonly pubOut: number;
}

/** One or more server processes under test, all on 127.0.0.1. */
export interface ServerGroup {
  readonly driver: Driver;
  readonly tls: TlsMode;
  /** HTTP/WebSocket port of each node. */
  readonly ports: readonly number[];
  /** Server processes whose CPU and memory count: the nodes and, for nats/redis, the broker. */
  readonly pids: readonly number[];
  /** With client TLS: the CA that signed the server's certificate, for the clients to trust. */
  readonly clientCa: string | undefined;
  /** `ws[s]://127.0.0.1:<port>/app/app-key?protocol=7` of node `i`. */
  wsUrl(node: number): string;
  /** Per-node mesh counters; null when there is no mesh. */
  meshCounters(): Promise<MeshNodeCounters[] | null>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once every process is gone. */
  stop(): Promise<void>;
}

export function wsUrl(port: number, appKey: string, tls = false): string {
  return `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/app/${appKey}?protocol=7&client=meshpush-bench&version=0.0.0`;
}

/** The id of a server setup in records, tables and `--only`: `local`, `local+tls`, `cluster+mesh-tls`. */
export function variantId(driver: Driver, tls: TlsMode): string {
  return driver + (tls === 'client' ? '+tls' : tls === 'mesh' ? '+mesh-tls' : '');
}
