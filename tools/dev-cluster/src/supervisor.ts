import { ensureBuilt } from './build.js';
import { spawnNode, type ExitInfo, type NodeProcess } from './node.js';
import { nodeEnv, nodePorts, type DevClusterOptions } from './options.js';
import { waitForMesh } from './status.js';
import { meshTable, type NodeRow } from './table.js';

/** Where the supervisor writes: its own lines and the children's prefixed ones. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  readonly colors: boolean;
}

export function processOutput(): Output {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    colors: process.stdout.isTTY === true,
  };
}

const COLORS = [36, 35, 33, 32, 34, 31] as const;

/**
 * A signal this soon after the first is a copy of it, not a second request: one Ctrl+C reaches
 * every process of the terminal's foreground group, and `pnpm dev:cluster` forwards the SIGINT
 * it got to this process too, a few ms later.
 */
const REPEAT_WINDOW_MS = 500;

/**
 * Builds (unless `build: false`), starts the nodes, prints the mesh table once every node sees
 * every other with a measured RTT, and resolves with the exit code once all children are gone:
 * 0 after SIGINT/SIGTERM, 1 when a node died on its own or the mesh did not form.
 */
export async function runDevCluster(options: DevClusterOptions, io: Output = processOutput()): Promise<number> {
  const ports = nodePorts(options);
  if (options.build) {
    io.err('dev-cluster: building (turbo, --filter=meshpush...)');
    const build = await ensureBuilt();
    if (build.outcome === 'stale') io.err(`dev-cluster: the build failed; using the existing dist\n${build.output}`);
  }
  return new Supervisor(options, io).run(ports);
}

class Supervisor {
  readonly #options: DevClusterOptions;
  readonly #io: Output;
  readonly #nodes: NodeProcess[] = [];
  #stopping: Promise<void> | undefined;
  #finish: (code: number) => void = () => undefined;

  constructor(options: DevClusterOptions, io: Output) {
    this.#options = options;
    this.#io = io;
  }

  async run(ports: { ws: number[]; metrics: number[] }): Promise<number> {
    const finished = new Promise<number>((resolve) => (this.#finish = resolve));
    const removeHandlers = this.#installHandlers();
    try {
      const started = Date.now();
      await this.#startNodes(ports);
      const statuses = await waitForMesh({
        ports: ports.ws,
        nodeIds: new Set(this.#rows(ports).map((row) => row.nodeId)),
        timeoutMs: this.#options.meshTimeoutMs,
      });
      this.#io.out(`\nmesh formed: ${this.#nodes.length} nodes in ${Date.now() - started} ms\n`);
      this.#io.out(meshTable(this.#rows(ports), statuses) + '\n');
      if (this.#options.samePort) this.#io.out(samePortNote(this.#options.basePort, this.#nodes.length));
    } catch (error) {
      if (this.#stopping === undefined) {
        this.#io.err(`dev-cluster: ${error instanceof Error ? error.message : String(error)}`);
        this.#shutdown(1);
      }
    }
    const code = await finished;
    removeHandlers();
    return code;
  }

  async #startNodes(ports: { ws: number[]; metrics: number[] }): Promise<void> {
    for (let i = 0; i < this.#options.nodes && this.#stopping === undefined; i++) {
      const node = this.#spawn(i, ports.ws[i] ?? 0, ports.metrics[i] ?? 0);
      // node-1 takes the rendezvous port before the others start dialling it.
      if (i === 0) await node.ready;
    }
    await Promise.all(this.#nodes.map((node) => node.ready));
  }

  #spawn(index: number, wsPort: number, metricsPort: number): NodeProcess {
    const name = `node-${index + 1}`;
    const prefix = this.#prefix(name, index);
    const node = spawnNode({
      name,
      env: nodeEnv(process.env, this.#options, wsPort, metricsPort),
      detached: true,
      onLine: (line, stream) => (stream === 'stdout' ? this.#io.out(prefix + line) : this.#io.err(prefix + line)),
    });
    this.#nodes.push(node);
    void node.exited.then((exit) => this.#onExit(node, exit));
    return node;
  }

  #prefix(name: string, index: number): string {
    const label = `${name.padEnd(7)}│ `;
    return this.#io.colors ? `\x1b[${COLORS[index % COLORS.length]}m${label}\x1b[0m` : label;
  }

  #rows(ports: { ws: number[]; metrics: number[] }): NodeRow[] {
    return this.#nodes.map((node, i) => ({
      name: node.name,
      pid: node.pid,
      wsPort: ports.ws[i] ?? 0,
      metricsPort: ports.metrics[i] ?? 0,
      nodeId: node.nodeId() ?? `(unknown, pid ${node.pid})`,
    }));
  }

  #onExit(node: NodeProcess, exit: ExitInfo): void {
    if (this.#stopping !== undefined) return;
    this.#io.err(
      `dev-cluster: ${node.name} (pid ${node.pid}) exited unexpectedly (${describeExit(exit)}); stopping the others`,
    );
    this.#shutdown(1);
  }

  #shutdown(code: number): void {
    this.#stopping ??= (async () => {
      const exits = await Promise.all(this.#nodes.map((node) => node.stop(this.#options.stopGraceMs)));
      exits.forEach((exit, i) => this.#io.err(`dev-cluster: ${this.#nodes[i]?.name} stopped (${describeExit(exit)})`));
      this.#finish(code);
    })();
  }

  /**
   * SIGINT/SIGTERM stop the nodes (a second one, `REPEAT_WINDOW_MS` later or more, kills them);
   * a crash of this process kills them too.
   */
  #installHandlers(): () => void {
    let firstAt: number | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (firstAt !== undefined && performance.now() - firstAt < REPEAT_WINDOW_MS) return;
      firstAt ??= performance.now();
      if (this.#stopping !== undefined) {
        this.#io.err(`dev-cluster: ${signal} again: killing the nodes`);
        for (const node of this.#nodes) if (node.isRunning()) node.child.kill('SIGKILL');
        return;
      }
      this.#io.err(`dev-cluster: ${signal}: stopping ${this.#nodes.filter((n) => n.isRunning()).length} nodes`);
      this.#shutdown(0);
    };
    const onExit = (): void => {
      for (const node of this.#nodes) if (node.isRunning()) node.child.kill('SIGKILL');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('exit', onExit);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('exit', onExit);
    };
  }
}

function describeExit(exit: ExitInfo): string {
  return exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
}

function samePortNote(port: number, nodes: number): string {
  return [
    `All ${nodes} nodes listen on 127.0.0.1:${port} (SO_REUSEPORT): the kernel gives each new connection`,
    'to one of them, and the mesh delivers every message to subscribers on all of them. Try',
    `  for i in 1 2 3 4 5 6; do curl -s -H 'Connection: close' http://127.0.0.1:${port}/cluster | cut -c1-60; done`,
    'to see the answers come from different node ids.\n',
  ].join('\n');
}
