/**
 * The lab's layout as plain data: namespaces, addresses, links and hosts files. Nothing here
 * touches the system, so the layout is unit-tested without root.
 */

/** Every lab object (namespace, hosts directory) starts with this, so leftovers can be found. */
export const LAB_PREFIX = 'mplab-';
/** The range reserved for benchmarks (RFC 2544); the root namespace blackholes all of it. */
export const LAB_RANGE = '198.18.0.0/15';
/** Name of the interface that carries a host's service address. */
export const SERVICE_INTERFACE = 'svc0';
/** The name that resolves to every server host, like a Kubernetes headless service. */
export const HEADLESS_NAME = 'meshpush.lab';
/** Linux limits interface names to 15 bytes. */
const MAX_INTERFACE_NAME = 15;
const HOST_NAME = /^[a-z][a-z0-9]{0,7}$/;

export interface LabHost {
  /** Short name, e.g. `a`; resolvable as `<name>.lab` inside the lab. */
  readonly name: string;
  readonly namespace: string;
  /** The one service address of the host, on its {@link SERVICE_INTERFACE}. */
  readonly address: string;
  readonly role: 'server' | 'client';
}

/** One veth pair between two hosts: `a` holds `aInterface`, `b` holds `bInterface`. */
export interface LabLink {
  readonly a: LabHost;
  readonly b: LabHost;
  readonly aInterface: string;
  readonly bInterface: string;
}

export interface LabPlan {
  readonly hosts: readonly LabHost[];
  readonly links: readonly LabLink[];
}

/**
 * Hosts `servers…` plus one client host, each with an address 198.18.0.N (N from 1 in order);
 * one link per pair of hosts, so any pair can be cut on its own.
 */
export function planLab(serverNames: readonly string[], clientName = 'client'): LabPlan {
  const names = [...serverNames, clientName];
  for (const name of names) {
    if (!HOST_NAME.test(name))
      throw new TypeError(`invalid lab host name "${name}": 1-8 of a-z, 0-9, starting with a letter`);
  }
  if (new Set(names).size !== names.length) throw new TypeError(`lab host names must be distinct: ${names.join(', ')}`);
  if (serverNames.length === 0) throw new TypeError('a lab needs at least one server host');
  const hosts = names.map((name, index): LabHost => ({
    name,
    namespace: `${LAB_PREFIX}${name}`,
    address: `198.18.0.${index + 1}`,
    role: index < serverNames.length ? 'server' : 'client',
  }));
  const links: LabLink[] = [];
  hosts.forEach((a, i) => {
    for (const b of hosts.slice(i + 1))
      links.push({ a, b, aInterface: linkInterface(b), bInterface: linkInterface(a) });
  });
  return { hosts, links };
}

/** The name of the interface that leads to `peer` (each host has one per peer). */
export function linkInterface(peer: LabHost): string {
  const name = `to-${peer.name}`;
  if (name.length > MAX_INTERFACE_NAME) throw new RangeError(`interface name too long: ${name}`);
  return name;
}

export function findHost(plan: LabPlan, name: string): LabHost {
  const host = plan.hosts.find((candidate) => candidate.name === name);
  if (host === undefined)
    throw new RangeError(`no lab host "${name}" (hosts: ${plan.hosts.map((h) => h.name).join(', ')})`);
  return host;
}

export function findLink(plan: LabPlan, first: string, second: string): LabLink {
  const link = plan.links.find(
    ({ a, b }) => (a.name === first && b.name === second) || (a.name === second && b.name === first),
  );
  if (link === undefined) throw new RangeError(`no lab link between "${first}" and "${second}"`);
  return link;
}

/** Every link that touches `name`: cutting them all isolates the host. */
export function linksOf(plan: LabPlan, name: string): LabLink[] {
  return plan.links.filter(({ a, b }) => a.name === name || b.name === name);
}

/**
 * The hosts file every namespace sees: loopback, `<name>.lab` for every host, and
 * {@link HEADLESS_NAME} once per server in `headless` (the answer of a headless service).
 */
export function hostsFile(plan: LabPlan, headless: readonly string[]): string {
  const lines = ['127.0.0.1 localhost', '::1 localhost'];
  for (const host of plan.hosts) lines.push(`${host.address} ${host.name}.lab`);
  for (const name of headless) lines.push(`${findHost(plan, name).address} ${HEADLESS_NAME}`);
  return `${lines.join('\n')}\n`;
}
