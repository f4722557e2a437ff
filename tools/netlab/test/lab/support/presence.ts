import { countLoss, type LoadLog, type LossCount } from '../../../src/loss.js';
import type { LabCluster } from './labCluster.js';

/** A presence client: its name in the driver, the server host it connects to, and its user id. */
export interface Member {
  readonly client: string;
  readonly host: string;
  readonly user: string;
}

export const PRESENCE_CHANNEL = 'presence-lab';
export const LOAD_CHANNEL = 'load-lab';
/** The publisher's pace during scenarios 2–4. */
export const LOAD_RATE_PER_SEC = 500;

export async function joinPresence(cluster: LabCluster, members: readonly Member[]): Promise<void> {
  await Promise.all(
    members.map(async ({ client, host, user }) => {
      await cluster.driver.call('open', { name: client, address: cluster.address(host), user });
      await cluster.driver.call('subscribe', { name: client, channel: PRESENCE_CHANNEL });
    }),
  );
}

/** Member ids as one client's pusher-js shows them, sorted. */
export function clientMembers(cluster: LabCluster, client: string): Promise<string[]> {
  return cluster.driver.call<string[]>('members', { name: client, channel: PRESENCE_CHANNEL });
}

/** Every `pusher:member_added` / `member_removed` one client got, in order. */
export function presenceLog(cluster: LabCluster, client: string): Promise<{ added: string[]; removed: string[] }> {
  return cluster.driver.call('presenceLog', { name: client, channel: PRESENCE_CHANNEL });
}

export interface PresenceLogs {
  readonly [client: string]: { added: string[]; removed: string[] };
}

/** The presence logs of several clients at once, to tell what happened after this moment. */
export async function presenceLogs(cluster: LabCluster, clients: readonly string[]): Promise<PresenceLogs> {
  return Object.fromEntries(
    await Promise.all(clients.map(async (client) => [client, await presenceLog(cluster, client)] as const)),
  );
}

/** What `client` got since `before`: transitions past the lengths recorded there, sorted. */
export async function transitionsSince(
  cluster: LabCluster,
  client: string,
  before: PresenceLogs,
): Promise<{ added: string[]; removed: string[] }> {
  const now = await presenceLog(cluster, client);
  const was = before[client] ?? { added: [], removed: [] };
  return { added: now.added.slice(was.added.length).sort(), removed: now.removed.slice(was.removed.length).sort() };
}

/** Users of the presence channel as `host`'s REST API lists them, sorted, and its `user_count`. */
export async function restPresence(cluster: LabCluster, host: string): Promise<{ users: string[]; userCount: number }> {
  const address = cluster.address(host);
  const list = await cluster.driver.call<{ users: Array<{ id: string }> }>('rest', {
    address,
    path: `/channels/${PRESENCE_CHANNEL}/users`,
  });
  const info = await cluster.driver.call<{ user_count?: number }>('rest', {
    address,
    path: `/channels/${PRESENCE_CHANNEL}`,
    params: { info: 'user_count' },
  });
  return { users: list.users.map((user) => user.id).sort(), userCount: info.user_count ?? 0 };
}

/** The load channel's `subscription_count` as `host` reports it. */
export async function loadSubscriptions(cluster: LabCluster, host: string): Promise<number> {
  const info = await cluster.driver.call<{ subscription_count?: number }>('rest', {
    address: cluster.address(host),
    path: `/channels/${LOAD_CHANNEL}`,
    params: { info: 'subscription_count' },
  });
  return info.subscription_count ?? 0;
}

/**
 * Whether the presence state is the truth everywhere: each listed client shows exactly `truth`,
 * and each listed host's REST users and `user_count` are exactly `truth`.
 */
export async function presenceIs(
  cluster: LabCluster,
  clients: readonly string[],
  hosts: readonly string[],
  truth: readonly string[],
): Promise<boolean> {
  const want = JSON.stringify([...truth].sort());
  for (const client of clients) if (JSON.stringify(await clientMembers(cluster, client)) !== want) return false;
  for (const host of hosts) {
    const { users, userCount } = await restPresence(cluster, host);
    if (JSON.stringify(users) !== want || userCount !== truth.length) return false;
  }
  return true;
}

/** Starts the publisher (500 events/s through `hosts` in turn) and one subscriber per host. */
export async function startLoad(cluster: LabCluster, hosts: readonly string[]): Promise<void> {
  const addresses = hosts.map((host) => cluster.address(host));
  await cluster.driver.call('loadStart', { channel: LOAD_CHANNEL, addresses, ratePerSec: LOAD_RATE_PER_SEC });
}

/**
 * Stops the load and counts deliveries lost between hosts that stayed connected: an event sent
 * through host `p` is owed to the subscriber on host `s` unless the link p–s, or the client's link
 * to `p` or to `s`, is among `cutPairs` (the pairs of host names cut at some point during the load).
 */
export async function stopLoad(
  cluster: LabCluster,
  hosts: readonly string[],
  cutPairs: ReadonlyArray<readonly [string, string]>,
): Promise<LossCount> {
  const log = await cluster.driver.call<LoadLog>('loadStop', {}, 60_000);
  lastFailures = log.failures ?? {};
  const client = cluster.lab.client.name;
  const cut = (x: string | undefined, y: string | undefined): boolean =>
    cutPairs.some(([a, b]) => (a === x && b === y) || (a === y && b === x));
  return countLoss(log, (from, to) => {
    const [p, s] = [hosts[from], hosts[to]];
    return !cut(p, s) && !cut(client, p) && !cut(client, s);
  });
}

let lastFailures: Readonly<Record<string, number>> = {};

/** Why the last load's requests failed (`server index: reason` → count), for test logs. */
export function lastLoadFailures(): Readonly<Record<string, number>> {
  return lastFailures;
}

export function describeLoss(loss: LossCount): string {
  return (
    `load ${loss.ratePerSec}/s: ${loss.accepted}/${loss.sent} accepted (per server ${loss.acceptedPerServer.join('/')}), ` +
    `lost ${loss.lost} of ${loss.expected} owed deliveries, duplicates ${loss.duplicates}`
  );
}
