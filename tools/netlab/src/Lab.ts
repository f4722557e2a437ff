import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnInHost, type LabProcess, type SpawnInHostOptions } from './LabProcess.js';
import {
  findHost,
  findLink,
  hostsFile,
  LAB_RANGE,
  linksOf,
  planLab,
  SERVICE_INTERFACE,
  type LabHost,
  type LabLink,
  type LabPlan,
} from './plan.js';
import { acquireLabLock, ip, labUnavailableReason, NETNS_ETC, releaseLabLock, removeLabLeftovers } from './system.js';

export interface LabOptions {
  /** Names of the server hosts, e.g. `['a', 'b', 'c']`. */
  servers: readonly string[];
  /** Servers the headless name resolves to at start. @default every server */
  headless?: readonly string[];
  /** @default 'client' */
  client?: string;
}

/**
 * A lab of hosts, each a network namespace with one service address, linked pairwise by veth
 * pairs with /32 routes, so that any pair can be cut (a partial partition) or every link of one
 * host (isolation), and restored.
 *
 * Safety is the lab's job, not its caller's: it refuses to run without root and iproute2; it
 * removes what a killed run left behind before it builds anything; while it runs, the root
 * namespace blackholes the whole lab range, so a process started outside the lab by mistake
 * cannot send lab traffic out of the machine; lab processes run only inside lab namespaces and
 * die with the process that owns the lab; `destroy()`, process exit, SIGINT and SIGTERM all
 * remove the namespaces, links, routes and hosts files.
 */
export class Lab {
  readonly plan: LabPlan;
  readonly #processes = new Set<LabProcess>();
  readonly #cut = new Set<LabLink>();
  #headless: readonly string[];
  #destroyed = false;

  private constructor(plan: LabPlan, headless: readonly string[]) {
    this.plan = plan;
    this.#headless = headless;
  }

  /** Why a lab cannot run on this machine, or `undefined`. */
  static unavailableReason(): string | undefined {
    return labUnavailableReason();
  }

  static async create(options: LabOptions): Promise<Lab> {
    const reason = labUnavailableReason();
    if (reason !== undefined) throw new Error(reason);
    const plan = planLab(options.servers, options.client);
    const lab = new Lab(plan, options.headless ?? options.servers);
    acquireLabLock();
    removeLabLeftovers();
    installExitCleanup(lab);
    try {
      await ip('route', 'add', 'blackhole', LAB_RANGE);
      for (const host of plan.hosts) await lab.#buildHost(host);
      for (const link of plan.links) await lab.#buildLink(link);
    } catch (error) {
      lab.destroySync();
      throw error;
    }
    return lab;
  }

  host(name: string): LabHost {
    return findHost(this.plan, name);
  }

  get servers(): LabHost[] {
    return this.plan.hosts.filter((host) => host.role === 'server');
  }

  get client(): LabHost {
    const client = this.plan.hosts.find((host) => host.role === 'client');
    if (client === undefined) throw new Error('the lab has no client host');
    return client;
  }

  /** Servers the headless name resolves to now. */
  get headless(): readonly string[] {
    return this.#headless;
  }

  /**
   * Changes what the headless name resolves to, in every namespace. The file is rewritten in
   * place: processes see the bind mount of the original inode, so a replaced file would go unseen.
   */
  setHeadless(servers: readonly string[]): void {
    this.#headless = [...servers];
    for (const host of this.plan.hosts) this.#writeHostsFile(host);
  }

  /** Cuts the link between two hosts (both ends down: their routes to each other vanish). */
  async cut(first: string, second: string): Promise<void> {
    await this.#setLink(findLink(this.plan, first, second), false);
  }

  async restore(first: string, second: string): Promise<void> {
    await this.#setLink(findLink(this.plan, first, second), true);
  }

  /** Cuts every link of `name`: the host can reach nobody, and nobody reaches it. */
  async isolate(name: string): Promise<void> {
    for (const link of linksOf(this.plan, name)) await this.#setLink(link, false);
  }

  async heal(name: string): Promise<void> {
    for (const link of linksOf(this.plan, name)) await this.#setLink(link, true);
  }

  /** Whether the link between two hosts is up. */
  linked(first: string, second: string): boolean {
    return !this.#cut.has(findLink(this.plan, first, second));
  }

  /** Starts a process inside `hostName`'s namespace; it is killed when the lab is destroyed. */
  spawn(hostName: string, command: string, args: readonly string[], options: SpawnInHostOptions = {}): LabProcess {
    if (this.#destroyed) throw new Error('the lab is destroyed');
    const child = spawnInHost(this.host(hostName), command, args, options);
    this.#processes.add(child);
    void child.exited.then(() => this.#processes.delete(child));
    return child;
  }

  /** Stops every lab process (SIGTERM, then SIGKILL) and removes the lab. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    await Promise.all([...this.#processes].map((child) => child.stop('SIGTERM', 2000)));
    this.destroySync();
  }

  /** Kills every lab process and removes the lab at once; safe to call from an exit handler. */
  destroySync(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const child of this.#processes) child.child.kill('SIGKILL');
    removeLabLeftovers();
    releaseLabLock();
    uninstallExitCleanup(this);
  }

  async #buildHost(host: LabHost): Promise<void> {
    mkdirSync(`${NETNS_ETC}/${host.namespace}`, { recursive: true });
    this.#writeHostsFile(host);
    await ip('netns', 'add', host.namespace);
    await ip('-n', host.namespace, 'link', 'set', 'lo', 'up');
    // The service address lives on an interface of its own, not on a link, so it survives cuts.
    await ip(
      '-n',
      host.namespace,
      'link',
      'add',
      SERVICE_INTERFACE,
      'type',
      'veth',
      'peer',
      'name',
      `${SERVICE_INTERFACE}-peer`,
    );
    await ip('-n', host.namespace, 'addr', 'add', `${host.address}/32`, 'dev', SERVICE_INTERFACE);
    await ip('-n', host.namespace, 'link', 'set', SERVICE_INTERFACE, 'up');
    await ip('-n', host.namespace, 'link', 'set', `${SERVICE_INTERFACE}-peer`, 'up');
  }

  async #buildLink(link: LabLink): Promise<void> {
    await ip(
      '-n',
      link.a.namespace,
      'link',
      'add',
      link.aInterface,
      'type',
      'veth',
      'peer',
      'name',
      link.bInterface,
      'netns',
      link.b.namespace,
    );
    await this.#linkUp(link);
  }

  async #setLink(link: LabLink, up: boolean): Promise<void> {
    if (up === !this.#cut.has(link)) return;
    if (up) {
      await this.#linkUp(link);
      this.#cut.delete(link);
    } else {
      this.#cut.add(link);
      await ip('-n', link.a.namespace, 'link', 'set', link.aInterface, 'down');
      await ip('-n', link.b.namespace, 'link', 'set', link.bInterface, 'down');
    }
  }

  /** Brings both ends up and (re)adds the /32 routes, which the kernel drops with a link going down. */
  async #linkUp(link: LabLink): Promise<void> {
    const ends: Array<[LabHost, string, LabHost]> = [
      [link.a, link.aInterface, link.b],
      [link.b, link.bInterface, link.a],
    ];
    for (const [self, device] of ends) await ip('-n', self.namespace, 'link', 'set', device, 'up');
    for (const [self, device, peer] of ends) {
      await ip('-n', self.namespace, 'route', 'replace', `${peer.address}/32`, 'dev', device, 'src', self.address);
    }
  }

  #writeHostsFile(host: LabHost): void {
    writeFileSync(`${NETNS_ETC}/${host.namespace}/hosts`, hostsFile(this.plan, this.#headless));
  }
}

const liveLabs = new Set<Lab>();
const onExit = (): void => {
  for (const lab of liveLabs) lab.destroySync();
};
const onSignal = (signal: NodeJS.Signals): void => {
  onExit();
  process.kill(process.pid, signal);
};

function installExitCleanup(lab: Lab): void {
  if (liveLabs.size === 0) {
    process.on('exit', onExit);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  liveLabs.add(lab);
}

function uninstallExitCleanup(lab: Lab): void {
  liveLabs.delete(lab);
  if (liveLabs.size > 0) return;
  process.off('exit', onExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}
