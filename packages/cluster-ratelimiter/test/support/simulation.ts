import { ClusterRateLimiter, type RateLimiter } from '../../src/index.js';
import { fakeClock, type FakeClock } from '../contract/rateLimiterContract.js';
import { MemoryNetwork, type MemoryTransport } from '@meshpush/mesh-transport/testing';

export const KEY = 'app-1:backend_events';

export interface SimNode {
  readonly transport: MemoryTransport;
  readonly limiter: ClusterRateLimiter;
  /** Events per second offered to this node. */
  loadPerSec: number;
  admitted: number;
  offered: number;
  alive: boolean;
  carry: number;
}

/** A memory network of cluster limiters on one fake clock, driven step by step. */
export class Simulation {
  readonly network = new MemoryNetwork();
  readonly clock: FakeClock = fakeClock();
  readonly nodes: SimNode[] = [];
  readonly syncIntervalMs: number;
  #sinceSyncMs = 0;

  constructor(syncIntervalMs = 100) {
    this.syncIntervalMs = syncIntervalMs;
  }

  /** Adds a node (it meets the others once the network settles). */
  add(loadPerSec: number): SimNode {
    const transport = this.network.join();
    const limiter = new ClusterRateLimiter(transport, { now: this.clock.now, syncIntervalMs: 3_600_000 });
    const node: SimNode = { transport, limiter, loadPerSec, admitted: 0, offered: 0, alive: true, carry: 0 };
    this.nodes.push(node);
    return node;
  }

  kill(node: SimNode): void {
    node.alive = false;
    this.network.kill(node.transport);
    void node.limiter.close();
  }

  async close(): Promise<void> {
    for (const node of this.nodes) await node.limiter.close();
  }

  /**
   * Runs `durationMs` of simulated time in `stepMs` steps: each live node is offered its load
   * (one point per event) and every node syncs every `syncIntervalMs`, after which the network
   * delivers. `check` runs after each step.
   */
  async run(durationMs: number, limitPerSec: number, stepMs = 5, check?: () => void): Promise<void> {
    for (let elapsed = 0; elapsed < durationMs; elapsed += stepMs) {
      this.clock.advance(stepMs);
      for (const node of this.nodes) if (node.alive) offer(node, limitPerSec, stepMs);
      this.#sinceSyncMs += stepMs;
      if (this.#sinceSyncMs >= this.syncIntervalMs) {
        this.#sinceSyncMs = 0;
        for (const node of this.nodes) if (node.alive) node.limiter.sync();
        check?.();
        await this.network.settle();
      }
      check?.();
    }
  }

  admitted(nodes: readonly SimNode[] = this.nodes): number {
    return nodes.reduce((sum, node) => sum + node.admitted, 0);
  }

  /** Σ of the live nodes' shares of `KEY`. */
  shareSum(): number {
    let sum = 0;
    for (const node of this.nodes) {
      if (node.alive) sum += node.limiter.shares().find((s) => s.key === KEY)?.share ?? 0;
    }
    return sum;
  }

  resetCounts(): void {
    for (const node of this.nodes) node.admitted = node.offered = 0;
  }
}

function offer(node: SimNode, limitPerSec: number, stepMs: number): void {
  node.carry += (node.loadPerSec * stepMs) / 1000;
  while (node.carry >= 1) {
    node.carry -= 1;
    node.offered++;
    if (consumeOne(node.limiter, limitPerSec)) node.admitted++;
  }
}

function consumeOne(limiter: RateLimiter, limitPerSec: number): boolean {
  return limiter.consume(KEY, 1, limitPerSec).allowed;
}
