import { isLoopbackHost, isValidPort, parseAddress, type HostPort } from './address.js';
import { silentLogger, type Logger } from './logger.js';
import type { MeshTlsOptions } from './tls.js';

/** Options of {@link Mesh.start}. Every duration is in milliseconds, every size in bytes. */
export interface MeshOptions {
  /**
   * Interface to listen on. It is also the host of the rendezvous: siblings on this machine that
   * are given the same host and port find each other through it. A wildcard (`0.0.0.0`, `::`)
   * listens on every interface; peers then learn this node's address from the connection.
   * @default "127.0.0.1"
   */
  host?: string;
  /**
   * The well-known rendezvous port. The first process to bind it is the rendezvous; the others
   * listen on an ephemeral port of the same host and dial it. `0` disables the rendezvous: the
   * node listens on an ephemeral port and joins through `seeds` only.
   * @default 11002
   */
  port?: number;
  /** Route addresses (`host:port`) of other nodes; DNS names are re-resolved every check. @default [] */
  seeds?: readonly string[];
  /**
   * Shared secret proven by every node during the handshake (HMAC-SHA256 over the peer's nonce).
   * Empty means an open mesh: anyone who reaches the port can join (a warning is logged at start
   * unless the node listens on loopback only).
   * @default ""
   */
  secret?: string;
  /** Nodes with another cluster name are refused. @default "meshpush" */
  clusterName?: string;
  /** How often each route sends PING and is checked for silence. @default 500 */
  checkIntervalMs?: number;
  /** A route that received nothing for this long is dead (also the handshake deadline). @default 2000 */
  nodeTimeoutMs?: number;
  /** How long the survivors wait (plus 0–100 ms jitter) before one takes over a dead rendezvous. @default 2000 */
  masterTimeoutMs?: number;
  /** Largest frame body accepted or sent; a peer that sends more is cut off. @default 8388608 (8 MiB) */
  maxFrameBytes?: number;
  /**
   * Per-route outbound limit (queued plus unsent socket bytes). A peer past it is a slow
   * consumer: its route is closed and resynced on reconnect.
   * @default 33554432 (32 MiB)
   */
  highWaterMarkBytes?: number;
  /** Default deadline of {@link Mesh.request}. @default 5000 */
  requestTimeoutMs?: number;
  /** Longest pause between two redials of a seed, the rendezvous or a lost peer. @default 5000 */
  redialMaxDelayMs?: number;
  /**
   * Mutual TLS on every route: PEM key, certificate and CA. A node with TLS and a node without
   * refuse each other (with a logged reason on both sides); neither falls back to clear text.
   * The secret handshake still runs inside TLS. {@link Mesh.updateTls} swaps the material for new routes.
   * @default undefined (plain TCP)
   */
  tls?: MeshTlsOptions;
  /** @default a silent logger */
  logger?: Logger;
}

/** {@link MeshOptions} with every default filled in and addresses parsed: `Mesh.options`. */
export interface ResolvedMeshOptions {
  readonly host: string;
  readonly port: number;
  readonly seeds: readonly HostPort[];
  readonly secret: string;
  readonly clusterName: string;
  readonly checkIntervalMs: number;
  readonly nodeTimeoutMs: number;
  readonly masterTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly highWaterMarkBytes: number;
  readonly requestTimeoutMs: number;
  readonly redialMaxDelayMs: number;
  readonly tls: MeshTlsOptions | undefined;
  readonly logger: Logger;
}

/** The well-known rendezvous port of a mesh when none is given (soketi's cluster port). */
export const DEFAULT_MESH_PORT = 11002;

/** The default of every {@link MeshOptions} field except `seeds` and `logger`. */
export const meshDefaults = {
  host: '127.0.0.1',
  port: DEFAULT_MESH_PORT,
  secret: '',
  clusterName: 'meshpush',
  checkIntervalMs: 500,
  nodeTimeoutMs: 2000,
  masterTimeoutMs: 2000,
  maxFrameBytes: 8 * 1024 * 1024,
  highWaterMarkBytes: 32 * 1024 * 1024,
  requestTimeoutMs: 5000,
  redialMaxDelayMs: 5000,
} as const;

/** The start-up warning of a node that anyone able to reach its port could join, if it is one. */
export function openMeshWarning(
  options: Pick<ResolvedMeshOptions, 'host' | 'secret'> & { readonly tls?: MeshTlsOptions | undefined },
): string | undefined {
  if (options.secret !== '' || options.tls !== undefined || isLoopbackHost(options.host)) return undefined;
  return 'mesh: no secret set and listening beyond loopback: anyone who reaches this port can join the mesh';
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`mesh option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Applies defaults and validates; throws a `RangeError`/`TypeError` naming the bad option. */
export function resolveOptions(options: MeshOptions = {}): ResolvedMeshOptions {
  const port = options.port ?? meshDefaults.port;
  if (!isValidPort(port)) throw new RangeError(`mesh option port must be 0–65535, got ${port}`);
  const resolved: ResolvedMeshOptions = {
    host: options.host ?? meshDefaults.host,
    port,
    seeds: (options.seeds ?? []).map(parseAddress),
    secret: options.secret ?? meshDefaults.secret,
    clusterName: options.clusterName ?? meshDefaults.clusterName,
    checkIntervalMs: positiveInt('checkIntervalMs', options.checkIntervalMs ?? meshDefaults.checkIntervalMs),
    nodeTimeoutMs: positiveInt('nodeTimeoutMs', options.nodeTimeoutMs ?? meshDefaults.nodeTimeoutMs),
    masterTimeoutMs: positiveInt('masterTimeoutMs', options.masterTimeoutMs ?? meshDefaults.masterTimeoutMs),
    maxFrameBytes: positiveInt('maxFrameBytes', options.maxFrameBytes ?? meshDefaults.maxFrameBytes),
    highWaterMarkBytes: positiveInt(
      'highWaterMarkBytes',
      options.highWaterMarkBytes ?? meshDefaults.highWaterMarkBytes,
    ),
    requestTimeoutMs: positiveInt('requestTimeoutMs', options.requestTimeoutMs ?? meshDefaults.requestTimeoutMs),
    redialMaxDelayMs: positiveInt('redialMaxDelayMs', options.redialMaxDelayMs ?? meshDefaults.redialMaxDelayMs),
    tls: options.tls,
    logger: options.logger ?? silentLogger,
  };
  if (resolved.nodeTimeoutMs <= resolved.checkIntervalMs) {
    throw new RangeError('mesh option nodeTimeoutMs must be greater than checkIntervalMs');
  }
  return resolved;
}
