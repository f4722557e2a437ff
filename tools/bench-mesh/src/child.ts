import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** A message from a worker: a reply to a call, or an event it raises by itself. */
export interface WorkerMessage {
  readonly id?: number;
  readonly event?: string;
  readonly result?: unknown;
  readonly error?: string;
}

/** A benchmark worker process (src/worker.ts) driven over IPC. */
export class Worker {
  readonly #process: ChildProcess;
  readonly #pending = new Map<number, (message: WorkerMessage) => void>();
  readonly #waiters = new Map<string, (result: unknown) => void>();
  #nextId = 1;

  constructor(role: string, args: Record<string, unknown>) {
    this.#process = spawn(
      process.execPath,
      ['--import=tsx', '--conditions=source', entry, role, JSON.stringify(args)],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    this.#process.on('message', (message: WorkerMessage) => this.#onMessage(message));
  }

  get pid(): number {
    return this.#process.pid ?? -1;
  }

  async call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    const reply = await new Promise<WorkerMessage>((resolve) => {
      this.#pending.set(id, resolve);
      this.#process.send({ id, command, ...args });
    });
    if (reply.error !== undefined) throw new Error(`${command}: ${reply.error}`);
    return reply.result as T;
  }

  /** Resolves with the payload of the next `event` this worker raises. */
  next<T>(event: string): Promise<T> {
    return new Promise((resolve) => this.#waiters.set(event, resolve as (result: unknown) => void));
  }

  kill(): void {
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill('SIGKILL');
  }

  #onMessage(message: WorkerMessage): void {
    if (message.event !== undefined) {
      const waiter = this.#waiters.get(message.event);
      this.#waiters.delete(message.event);
      waiter?.(message.result);
      return;
    }
    const pending = this.#pending.get(message.id ?? -1);
    this.#pending.delete(message.id ?? -1);
    pending?.(message);
  }
}
