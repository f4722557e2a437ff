import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Lab } from './Lab.js';
import type { LabProcess } from './LabProcess.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const DRIVER_SCRIPT = fileURLToPath(new URL('../driver/clientDriver.ts', import.meta.url));

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/**
 * The test's handle on the client host: a driver process inside the client namespace that owns
 * every pusher-js client and SDK call, so that nothing the test does sends a packet from the
 * root namespace. Commands are JSON lines over the driver's stdin/stdout.
 */
export class ClientDriver {
  readonly process: LabProcess;
  readonly #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; op: string }>();
  #nextId = 1;

  private constructor(process: LabProcess) {
    this.process = process;
    createInterface({ input: process.child.stdout! }).on('line', (line) => this.#onLine(line));
    void process.exited.then(() => {
      for (const waiter of this.#pending.values())
        waiter.reject(new Error(`client driver exited during ${waiter.op}\n${process.output()}`));
      this.#pending.clear();
    });
  }

  /** Starts the driver in the lab's client host and waits until it answers. */
  static async start(lab: Lab): Promise<ClientDriver> {
    const args = ['--import=tsx', '--conditions=source', DRIVER_SCRIPT];
    const driver = new ClientDriver(
      lab.spawn(lab.client.name, process.execPath, args, { cwd: PACKAGE_DIR, stdin: true }),
    );
    await driver.#waitReady();
    return driver;
  }

  /** Sends one command; resolves with its result, rejects with the driver's error. */
  call<T = unknown>(op: string, args: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`client driver: ${op} gave no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        op,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.process.child.stdin?.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  /** Closes the driver's stdin: it disconnects its clients and exits. */
  async close(): Promise<void> {
    this.process.child.stdin?.end();
    await Promise.race([this.process.exited, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    await this.process.stop('SIGKILL');
  }

  #waitReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.set(0, { op: 'start', resolve: () => resolve(), reject });
      setTimeout(() => {
        if (this.#pending.delete(0)) reject(new Error(`client driver not ready within 20 s\n${this.process.output()}`));
      }, 20_000).unref();
    });
  }

  #onLine(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      return; // not a reply (a library printing to stdout)
    }
    const waiter = this.#pending.get(reply.id);
    if (waiter === undefined) return;
    this.#pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(`client driver: ${waiter.op}: ${reply.error ?? 'failed'}`));
  }
}
