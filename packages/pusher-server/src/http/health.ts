import { totalmem } from 'node:os';
import { nativeUwsProvider } from '../uws/nativeUws.js';
import type { HttpApiContext } from './HttpApiContext.js';
import type { Reply } from './respond.js';

/** Memory figures served by `/usage` and used by `/accept-traffic`. */
export interface MemoryUsageReport {
  /** `process.memoryUsage()` fields, in bytes. */
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** The memory this process may use, in bytes: see `memoryLimitBytes`. */
  readonly limitBytes: number;
  /** `rss` as a percentage of `limitBytes`. */
  readonly percent: number;
}

/**
 * The machine's memory, or the cgroup (container) limit when that is lower: in a container the
 * limit is what gets the process killed, and `os.totalmem()` reports the whole host.
 * Node reports "no limit" as a huge number, which the `Math.min` ignores.
 */
export function memoryLimitBytes(): number {
  const constrained = process.constrainedMemory();
  const total = totalmem();
  return constrained > 0 ? Math.min(constrained, total) : total;
}

/**
 * Resident set size (RSS) against the limit. RSS, not the V8 heap, because uWS buffers,
 * sockets and Buffers live outside the heap, and RSS is what the OOM killer measures.
 */
export function memoryUsageReport(): MemoryUsageReport {
  const usage = process.memoryUsage();
  const limitBytes = memoryLimitBytes();
  const percent = Math.round((usage.rss / limitBytes) * 10_000) / 100;
  return {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    limitBytes,
    percent,
  };
}

/** `GET /` → `OK` while the process serves requests at all. */
export function answerAlive(reply: Reply): void {
  reply.text(200, 'OK');
}

/**
 * `GET /ready` → `OK`, or 503 once shutdown began or while the node is cut off from its cluster
 * (broker connection lost), so load balancers send new clients to nodes that reach everyone.
 */
export function answerReady(reply: Reply, ctx: HttpApiContext): void {
  const cutOff = ctx.adapter.unavailableReason?.();
  if (ctx.isDraining()) reply.text(503, 'Shutting down');
  else if (cutOff !== undefined) reply.text(503, `Not ready: ${cutOff}`);
  else reply.text(200, 'OK');
}

/** `GET /accept-traffic` → `OK`, or 503 while memory in use is over the configured threshold. */
export function answerAcceptTraffic(reply: Reply, ctx: HttpApiContext): void {
  const { percent } = memoryUsageReport();
  if (percent > ctx.config.acceptTrafficMemoryThresholdPercent) {
    reply.text(503, `Memory in use (${percent}%) is over the threshold`);
  } else {
    reply.text(200, 'OK');
  }
}

/** `GET /usage` → `{"memory": MemoryUsageReport}`. */
export function answerUsage(reply: Reply): void {
  reply.json(200, { memory: memoryUsageReport() });
}

/**
 * `GET /cluster` → this node, its adapter and (for cluster drivers) its peers with RTTs and
 * traffic, and which uWebSockets.js build it runs on (`uws`: package, version, ABI).
 */
export function answerCluster(reply: Reply, ctx: HttpApiContext): void {
  reply.json(200, { ...ctx.adapter.status(), uws: nativeUwsProvider(), draining: ctx.isDraining() });
}
