import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import type { ChildCommand, ChildEvent, ChildOptions, MeshStats, Received } from './protocol.js';
import { waitFor } from './waitFor.js';

const script = fileURLToPath(new URL('./node-process.ts', import.meta.url));

/** Test options: short timers so that failures show within seconds. */
export const fastTimers = { checkIntervalMs: 200, nodeTimeoutMs: 1000, masterTimeoutMs: 1000 } as const;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** A mesh node in its own process. `start` registers a teardown that kills it, also on failure. */
export class MeshChild {
  readonly events: ChildEvent[] = [];
  readonly options: ChildOptions;
  nodeId = '';
  #exited = false;
  #nextId = 1;
  readonly #process: ChildProcess;
  readonly #pending = new Map<number, Pending>();

  private constructor(options: ChildOptions) {
    this.options = options;
    this.#process = spawn(process.execPath, ['--import=tsx', '--conditions=source', script, JSON.stringify(options)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#process.on('message', (event: ChildEvent) => this.#onEvent(event));
    this.#process.on('exit', () => this.#onExit());
  }

  static async start(t: ExecutionContext, options: ChildOptions, deadlineMs = 30_000): Promise<MeshChild> {
    const child = new MeshChild(options);
    t.teardown(() => child.kill('SIGKILL'));
    const ready = await waitFor(
      () => child.events.find((event) => event.ev === 'ready'),
      deadlineMs,
      'child mesh node did not start',
    );
    child.nodeId = (ready as { nodeId: string }).nodeId;
    return child;
  }

  get pid(): number {
    return this.#process.pid ?? -1;
  }

  get exited(): boolean {
    return this.#exited;
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.#exited) this.#process.kill(signal);
  }

  call<T>(command: ChildCommand, deadlineMs = 15_000): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`node ${this.nodeId} has exited`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`node ${this.nodeId}: no reply to ${command.cmd} within ${deadlineMs} ms`));
      }, deadlineMs);
      const settle =
        <A>(fn: (value: A) => void) =>
        (value: A) => {
          clearTimeout(timer);
          fn(value);
        };
      this.#pending.set(id, { resolve: settle(resolve as (value: unknown) => void), reject: settle(reject) });
      this.#process.send({ ...command, id });
    });
  }

  stats(): Promise<MeshStats> {
    return this.call<MeshStats>({ cmd: 'stats' });
  }

  received(subject: string): Promise<Received> {
    return this.call<Received>({ cmd: 'received', subject });
  }

  async peerIds(): Promise<string[]> {
    return (await this.stats()).peers.map((peer) => peer.nodeId).sort();
  }

  /** Peer-down events this node reported (optionally about one peer). */
  peerDowns(nodeId?: string): Extract<ChildEvent, { ev: 'peer-down' }>[] {
    return this.events.filter(
      (event): event is Extract<ChildEvent, { ev: 'peer-down' }> =>
        event.ev === 'peer-down' && (nodeId === undefined || event.nodeId === nodeId),
    );
  }

  peerUps(nodeId?: string): Extract<ChildEvent, { ev: 'peer-up' }>[] {
    return this.events.filter(
      (event): event is Extract<ChildEvent, { ev: 'peer-up' }> =>
        event.ev === 'peer-up' && (nodeId === undefined || event.nodeId === nodeId),
    );
  }

  logs(level?: string): Extract<ChildEvent, { ev: 'log' }>[] {
    return this.events.filter(
      (event): event is Extract<ChildEvent, { ev: 'log' }> =>
        event.ev === 'log' && (level === undefined || event.level === level),
    );
  }

  #onEvent(event: ChildEvent): void {
    if (event.ev !== 'reply') {
      this.events.push(event);
      return;
    }
    const pending = this.#pending.get(event.id);
    this.#pending.delete(event.id);
    if (event.error !== undefined) pending?.reject(new Error(event.error));
    else pending?.resolve(event.result);
  }

  #onExit(): void {
    this.#exited = true;
    for (const pending of this.#pending.values()) pending.reject(new Error(`node ${this.nodeId} exited`));
    this.#pending.clear();
  }
}

/** Starts `count` nodes with the same options, in parallel. */
export function startNodes(t: ExecutionContext, count: number, options: ChildOptions): Promise<MeshChild[]> {
  return Promise.all(Array.from({ length: count }, () => MeshChild.start(t, options)));
}

/** Waits until every node sees exactly all the others as peers. */
export async function waitForFullMesh(nodes: readonly MeshChild[], deadlineMs: number): Promise<void> {
  let lagging = '';
  await waitFor(
    async () => {
      for (const node of nodes) {
        const expected = nodes
          .filter((other) => other !== node)
          .map((other) => other.nodeId)
          .sort();
        const seen = await node.peerIds();
        if (JSON.stringify(seen) !== JSON.stringify(expected)) {
          lagging = `node ${node.nodeId} sees peers [${seen.join(', ')}], expected [${expected.join(', ')}]`;
          return false;
        }
      }
      return true;
    },
    deadlineMs,
    () => `mesh did not form: ${lagging}`,
    100,
  );
}
