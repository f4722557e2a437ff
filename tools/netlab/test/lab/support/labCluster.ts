import { waitFor as sharedWaitFor, type TeardownHost, type WaitOptions } from '@meshpush/test-support';
import { ClientDriver } from '../../../src/ClientDriver.js';
import { Lab } from '../../../src/Lab.js';
import { startMeshNode, type MeshNode, type MeshNodeOptions } from '../../../src/meshNode.js';

/**
 * The shared `waitFor`, polling every 100 ms unless told otherwise; resolves with the time the
 * condition took to hold (the scenarios report detection and convergence times).
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  options: WaitOptions & { timeoutMs: number; message: string },
): Promise<number> {
  const started = Date.now();
  await sharedWaitFor(check, { intervalMs: 100, ...options });
  return Date.now() - started;
}

/** One node's own view, from its `/cluster` endpoint. */
export interface NodeView {
  readonly nodeId: string;
  /** Peer node ids, in the order listed (duplicates kept, to be caught). */
  readonly peers: readonly string[];
  /** Open routes, handshakes included. */
  readonly routes: number;
}

/** A lab with a meshpush node on each started server host and the client driver. */
export class LabCluster {
  readonly lab: Lab;
  readonly driver: ClientDriver;
  readonly nodes = new Map<string, MeshNode>();
  readonly #nodeIds = new Map<string, string>();

  private constructor(lab: Lab, driver: ClientDriver) {
    this.lab = lab;
    this.driver = driver;
  }

  /**
   * Builds the lab, starts a node on each of `start` (default: every server) and the driver.
   * `env` is added to every node's environment (e.g. other mesh timings).
   */
  static async start(
    t: TeardownHost,
    servers: readonly string[],
    start: readonly string[] = servers,
    headless?: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ): Promise<LabCluster> {
    const lab = await Lab.create({ servers, ...(headless === undefined ? {} : { headless }) });
    t.teardown(() => lab.destroy());
    const cluster = new LabCluster(lab, await ClientDriver.start(lab));
    t.teardown(() => cluster.driver.close());
    await Promise.all(start.map((name) => cluster.startNode(name, { env })));
    return cluster;
  }

  async startNode(name: string, options: MeshNodeOptions = {}): Promise<MeshNode> {
    const node = await startMeshNode(this.lab, name, options);
    this.nodes.set(name, node);
    return node;
  }

  /**
   * Starts the app's webhook endpoint on the client host for `eventTypes`; returns the environment
   * that points a node's default app at it (give it to the nodes started after this).
   */
  async listenForWebhooks(eventTypes: readonly string[], leaveDelayMs: number): Promise<Record<string, string>> {
    const address = this.lab.client.address;
    const port = await this.driver.call<number>('webhooksListen', { address });
    return {
      DEFAULT_APP_WEBHOOKS: JSON.stringify([{ url: `http://${address}:${port}/hook`, event_types: eventTypes }]),
      WEBHOOKS_LEAVE_DELAY_MS: String(leaveDelayMs),
    };
  }

  /** `name:user` of every webhook event the app received, in arrival order. */
  async webhookEvents(): Promise<string[]> {
    const events = await this.driver.call<Array<{ name: string; user_id?: string }>>('webhookEvents', {});
    return events.map((event) => `${event.name}:${event.user_id ?? ''}`);
  }

  address(name: string): string {
    return this.lab.host(name).address;
  }

  /** `name`'s own view of the mesh. */
  async view(name: string): Promise<NodeView> {
    const { body } = await this.driver.call<{
      body: { nodeId: string; transport: { peers: Array<{ nodeId: string }>; routes: number } };
    }>('get', { address: this.address(name), path: '/cluster' });
    this.#nodeIds.set(name, body.nodeId);
    return {
      nodeId: body.nodeId,
      peers: body.transport.peers.map((peer) => peer.nodeId),
      routes: body.transport.routes,
    };
  }

  /** The node id of a started node (read once from its `/cluster`). */
  async nodeId(name: string): Promise<string> {
    return this.#nodeIds.get(name) ?? (await this.view(name)).nodeId;
  }

  /**
   * Whether every node in `expected` sees exactly the other nodes of its entry as peers, each once,
   * with one route per peer: `{a: ['c'], c: ['a', 'b']}`.
   */
  async viewsAre(expected: Readonly<Record<string, readonly string[]>>): Promise<boolean> {
    for (const [name, peerNames] of Object.entries(expected)) {
      const view = await this.view(name);
      const want = (await Promise.all(peerNames.map((peer) => this.nodeId(peer)))).sort();
      if (JSON.stringify([...view.peers].sort()) !== JSON.stringify(want) || view.routes !== want.length) return false;
    }
    return true;
  }

  /** Waits until {@link viewsAre} holds; resolves with the time it took. */
  waitForViews(
    expected: Readonly<Record<string, readonly string[]>>,
    timeoutMs: number,
    message: string,
  ): Promise<number> {
    return waitFor(() => this.viewsAre(expected), { timeoutMs, message, intervalMs: 50 });
  }

  /** Waits for a full mesh among `names`; resolves with the time it took. */
  waitForFullMesh(
    names: readonly string[],
    timeoutMs: number,
    message = `full mesh of ${names.join(', ')}`,
  ): Promise<number> {
    const expected = Object.fromEntries(names.map((name) => [name, names.filter((other) => other !== name)]));
    return this.waitForViews(expected, timeoutMs, message);
  }

  /** Resident memory of a node's process, read from /proc (no network involved). */
  async rssBytes(name: string): Promise<number> {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${this.nodes.get(name)?.process.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
  }
}
