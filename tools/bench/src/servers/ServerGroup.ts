/** The kind of server a scenario measures, as it appears in the `driver` field. */
export type Driver = 'local' | 'cluster' | 'uws-baseline';

/** Mesh data frames (`PUB`) one node has sent and received, summed over its peers. */
export interface MeshNodeCounters {
  readonly node: number;
  readonly pubIn: number;
  readonly pubOut: number;
}

/** One or more server processes under test, all on 127.0.0.1. */
export interface ServerGroup {
  readonly driver: Driver;
  /** HTTP/WebSocket port of each node. */
  readonly ports: readonly number[];
  readonly pids: readonly number[];
  /** `ws://127.0.0.1:<port>/app/app-key?protocol=7` of node `i`. */
  wsUrl(node: number): string;
  /** Per-node mesh counters; null when there is no mesh. */
  meshCounters(): Promise<MeshNodeCounters[] | null>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once every process is gone. */
  stop(): Promise<void>;
}

export function wsUrl(port: number, appKey: string): string {
  return `ws://127.0.0.1:${port}/app/${appKey}?protocol=7&client=meshpush-bench&version=0.0.0`;
}
