import type { ConnectParams } from './scenarios/connect.js';
import type { FanoutParams } from './scenarios/fanout.js';
import type { PresenceParams } from './scenarios/presence.js';
import type { ScaleParams } from './scenarios/scale.js';
import type { SizingParams } from './scenarios/sizing.js';
import type { ThroughputParams } from './scenarios/throughput.js';
import type { Driver } from './servers/ServerGroup.js';

/** Every scenario's parameters for one run. */
export interface ScenarioParams {
  readonly connect: ConnectParams;
  readonly fanout: FanoutParams;
  readonly fanoutMax: FanoutParams;
  readonly throughput: ThroughputParams;
  readonly presence: PresenceParams;
  /** @default FULL.scale */
  readonly scale?: ScaleParams;
  /** @default FULL.sizing */
  readonly sizing?: SizingParams;
  /** Nodes of the cluster variants. */
  readonly clusterNodes: number;
}

export interface BenchOptions {
  readonly quick: boolean;
  /** JSON lines only on stdout (progress still goes to stderr). */
  readonly json: boolean;
  /** Load worker processes holding the WebSocket clients. @default 2 */
  readonly workers: number;
  /** Server setups to measure. @default ['uws-baseline', 'local', 'cluster'] */
  readonly drivers: readonly Driver[];
  /**
   * TLS variants added beside the plain ones: `client` adds `uws-baseline+tls` and `local+tls`,
   * `mesh` adds `cluster+mesh-tls` (each only when its plain driver is selected). @default []
   */
  readonly tls: readonly TlsVariant[];
  /** Substrings of `variant/scenario` ids to run, e.g. `local/fanout,cluster`. */
  readonly only: readonly string[];
  /** Run the turbo build first. @default true */
  readonly build: boolean;
  /** Cluster sizes of the scale scenario (`--scale`). @default [] (the scenario does not run) */
  readonly scaleNodes?: readonly number[];
  /** Run the memory sizing scenario (`--sizing`). @default false */
  readonly sizing?: boolean;
  /** Directory for `--cpu-prof` profiles of every server process, or undefined. */
  readonly cpuProfDir: string | undefined;
  readonly params: ScenarioParams;
}

export type TlsVariant = 'client' | 'mesh';

export const ALL_DRIVERS: readonly Driver[] = ['uws-baseline', 'local', 'cluster', 'nats', 'redis'];
export const DEFAULT_DRIVERS: readonly Driver[] = ['uws-baseline', 'local', 'cluster'];
export const ALL_TLS: readonly TlsVariant[] = ['client', 'mesh'];

/** Parses `--drivers`: a comma-separated subset of `ALL_DRIVERS` (`baseline` = `uws-baseline`), or `all`. */
export function parseDrivers(raw: string): Driver[] {
  return parseList(raw, '--drivers', ALL_DRIVERS, { baseline: 'uws-baseline' });
}

/** Parses `--tls`: `client`, `mesh`, both comma-separated, or `all`. */
export function parseTls(raw: string): TlsVariant[] {
  return parseList(raw, '--tls', ALL_TLS, {});
}

function parseList<T extends string>(
  raw: string,
  flag: string,
  allowed: readonly T[],
  aliases: Readonly<Record<string, T>>,
): T[] {
  const parts = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error(`${flag} needs at least one of ${allowed.join(', ')}`);
  if (parts.includes('all')) return [...allowed];
  const chosen = new Set<T>();
  for (const part of parts) {
    const value = aliases[part] ?? allowed.find((candidate) => candidate === part);
    if (value === undefined) throw new Error(`${flag}: unknown "${part}" (one of ${allowed.join(', ')}, all)`);
    chosen.add(value);
  }
  return allowed.filter((value) => chosen.has(value));
}

const SETTLE_TIMEOUT_MS = 15_000;

/** The sizes. */
export const FULL: ScenarioParams & { readonly scale: ScaleParams; readonly sizing: SizingParams } = Object.freeze({
  connect: { clients: 5000, concurrency: 64 },
  fanout: {
    subscribers: 1000,
    messages: 200,
    ratePerSec: 100,
    connections: 4,
    settleTimeoutMs: SETTLE_TIMEOUT_MS,
    warmupMessages: 20,
  },
  fanoutMax: {
    subscribers: 1000,
    messages: 1000,
    ratePerSec: null,
    connections: 8,
    settleTimeoutMs: SETTLE_TIMEOUT_MS,
    warmupMessages: 50,
  },
  throughput: {
    channels: 500,
    subscribersPerChannel: 4,
    durationMs: 10_000,
    connections: 32,
    settleTimeoutMs: SETTLE_TIMEOUT_MS,
    warmupMs: 500,
  },
  presence: { clients: 200, batchSize: 20, runs: 5, convergeTimeoutMs: 10_000 },
  scale: {
    nodes: [2, 4, 8, 16, 32, 64],
    // V8's memory reducer compacts once, 50–100 s after start: a cost paid once, not all the time.
    settleMs: 60_000,
    // CPU is read from the scheduler's nanosecond counters: the window need not be long for
    // resolution, only long enough that a node's once-off GC weighs little in it.
    idleMs: 60_000,
    fanout: {
      subscribers: 1000,
      messages: 1,
      ratePerSec: null,
      connections: 1,
      settleTimeoutMs: SETTLE_TIMEOUT_MS,
      warmupMessages: 1,
    },
    presence: { clients: 200, batchSize: 20, runs: 1, convergeTimeoutMs: 30_000 },
  },
  sizing: { connections: 10_000, members: 10_000, membersPerChannel: 1000, settleMs: 10_000 },
  clusterNodes: 3,
});

/** Same shapes, fewer messages and seconds: the whole run stays under a minute. */
export const QUICK: ScenarioParams & { readonly scale: ScaleParams; readonly sizing: SizingParams } = Object.freeze({
  connect: { clients: 2000, concurrency: 64 },
  fanout: { ...FULL.fanout, messages: 100 },
  fanoutMax: { ...FULL.fanoutMax, messages: 300 },
  throughput: { ...FULL.throughput, durationMs: 3000 },
  presence: { ...FULL.presence, runs: 2 },
  scale: { ...FULL.scale, settleMs: 10_000, idleMs: 10_000 },
  sizing: { connections: 4000, members: 2000, membersPerChannel: 1000, settleMs: 5000 },
  clusterNodes: 3,
});

/** Parses `--scale`: comma-separated cluster sizes from 2 to 64. */
export function parseScaleNodes(raw: string): number[] {
  const sizes = raw.split(',').map((part) => Number(part.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 64))
    throw new Error(`--scale: a comma-separated list of node counts from 2 to 64, got "${raw}"`);
  return [...new Set(sizes)];
}
