import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from '../util/cleanup.js';
import { nowMs } from '../util/time.js';
import type { CommandName, Commands, Reply, Request } from './messages.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const CALL_TIMEOUT_MS = 120_000;
const CLOCK_ROUNDS = 20;

export interface ClockAlignment {
  /** Largest |worker clock − orchestrator clock| found, in µs (corrected for in every worker). */
  readonly maxOffsetUs: number;
  /** Half the best IPC round trip: how far the correction itself may be off, in µs. */
  readonly uncertaintyUs: number;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** The load worker processes and a typed request/reply channel to each. */
export class WorkerPool {
  readonly #workers: ChildProcess[];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(workers: ChildProcess[]) {
    this.#workers = workers;
    for (const worker of workers) {
      track(worker);
      worker.on('message', (reply: Reply) => this.#onReply(reply));
      worker.on('exit', (code, signal) =>
        this.#failAll(new Error(`load worker ${worker.pid} exited (${code ?? signal})`)),
      );
    }
  }

  /** Forks `count` workers (TypeScript through tsx, like the orchestrator) and aligns their clocks. */
  static async start(count: number): Promise<{ pool: WorkerPool; clock: ClockAlignment }> {
    const workers = Array.from({ length: count }, () =>
      fork(WORKER, [], {
        execArgv: ['--import=tsx', '--conditions=source'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const pool = new WorkerPool(workers);
    return { pool, clock: await pool.#alignClocks() };
  }

  get size(): number {
    return this.#workers.length;
  }

  call<K extends CommandName>(worker: number, command: K, args: Commands[K]['args']): Promise<Commands[K]['result']> {
    const child = this.#workers[worker];
    if (child === undefined) return Promise.reject(new Error(`no worker ${worker}`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.#settle(id, new Error(`worker ${worker}: ${command} timed out`)),
        CALL_TIMEOUT_MS,
      );
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      const request: Request<K> = { id, command, args };
      child.send(request);
    });
  }

  /** The same command on every worker, with per-worker arguments. */
  all<K extends CommandName>(
    command: K,
    argsOf: (worker: number) => Commands[K]['args'],
  ): Promise<Commands[K]['result'][]> {
    return Promise.all(this.#workers.map((_, i) => this.call(i, command, argsOf(i))));
  }

  /** CPU time used by all workers so far, in ms. */
  async cpuMs(): Promise<number> {
    const usages = await this.all('cpu', () => ({}));
    return usages.reduce((sum, usage) => sum + usage.cpuMs, 0);
  }

  /** Kills the workers and resolves once they are gone (they hold no state worth a graceful stop). */
  async stop(): Promise<void> {
    await Promise.all(
      this.#workers.map((worker) => {
        if (worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.kill('SIGKILL');
        return exited;
      }),
    );
  }

  /**
   * NTP-style: the sample with the shortest round trip gives offset = worker time − midpoint.
   * Every worker then reports receive times on the orchestrator's clock.
   */
  async #alignClocks(): Promise<ClockAlignment> {
    let maxOffsetUs = 0;
    let uncertaintyUs = 0;
    for (let w = 0; w < this.#workers.length; w++) {
      let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
      for (let round = 0; round < CLOCK_ROUNDS; round++) {
        const sentAt = nowMs();
        const { nowMs: workerNow } = await this.call(w, 'clock', {});
        const rtt = nowMs() - sentAt;
        if (rtt < best.rtt) best = { rtt, offset: workerNow - (sentAt + rtt / 2) };
      }
      await this.call(w, 'setClockOffset', { offsetMs: best.offset });
      maxOffsetUs = Math.max(maxOffsetUs, Math.abs(best.offset) * 1000);
      uncertaintyUs = Math.max(uncertaintyUs, (best.rtt / 2) * 1000);
    }
    return { maxOffsetUs: Math.round(maxOffsetUs), uncertaintyUs: Math.round(uncertaintyUs) };
  }

  #onReply(reply: Reply): void {
    this.#settle(reply.id, reply.ok ? undefined : new Error(reply.error), reply.ok ? reply.result : undefined);
  }

  #settle(id: number, error: Error | undefined, result?: unknown): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(result);
  }

  #failAll(error: Error): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, error);
  }
}
