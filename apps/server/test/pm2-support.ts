import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cleanEnv,
  freePortRun,
  pusherClient,
  pusherSdk,
  scrape,
  waitFor,
  type PusherClient,
  type ServerAddress,
  type TeardownHost,
} from '@meshpush/test-support';
import type Pusher from 'pusher';

/** PM2 from this package's devDependencies (never a global one). */
export const PM2_BIN = createRequire(import.meta.url).resolve('pm2/bin/pm2');
export const ECOSYSTEM = fileURLToPath(new URL('../../../deploy/pm2/ecosystem.config.cjs', import.meta.url));
const COMMAND_TIMEOUT_MS = 90_000;

export interface Pm2Process {
  pmId: number;
  pid: number;
  status: string;
  instance: number;
}

/** One figure set per instance, read from its own metrics port. */
export interface InstanceFigures {
  instance: number;
  /** Node ids of the peers this instance has a live route to. */
  peers: string[];
  /** Open WebSocket connections of the default app on this instance. */
  connected: number;
}

/** A PM2 daemon of the test's own (private PM2_HOME) running the ecosystem file. */
export interface Pm2Deployment {
  /** The public port every instance shares. */
  readonly port: number;
  readonly home: string;
  metricsPort(instance: number): number;
  /** Runs `pm2 <args>`; rejects with its output on a non-zero exit or at the deadline. */
  pm2(args: readonly string[]): Promise<string>;
  list(): Promise<Pm2Process[]>;
  /** Every instance's figures, by NODE_APP_INSTANCE; rejects when one cannot be scraped. */
  figures(instances: readonly number[]): Promise<InstanceFigures[]>;
  /** Every pid seen so far: the daemon's and each instance's. */
  seenPids(): number[];
  /** `pm2 kill`, then SIGKILL for anything that survived it; resolves with the survivors. */
  kill(): Promise<number[]>;
}

/**
 * Starts the ecosystem file under a fresh PM2 daemon (PM2_HOME in a temp dir) with `instances`
 * instances on one free public port, a free rendezvous port and free metrics ports, and waits
 * until they are all online. The daemon is killed at teardown, and by a watchdog process if the
 * test process itself dies first.
 */
export async function startPm2(
  t: TeardownHost,
  options: { instances: number; env: Record<string, string> },
): Promise<Pm2Deployment> {
  const home = mkdtempSync(join(tmpdir(), 'meshpush-pm2-'));
  // One run: the public port, the rendezvous port, then one metrics port per instance.
  const port = await freePortRun(options.instances + 2);
  const metricsBase = port + 2;
  const env = cleanEnv({
    PM2_HOME: home,
    MESHPUSH_INSTANCES: String(options.instances),
    HOST: '127.0.0.1',
    PORT: String(port),
    CLUSTER_HOST: '127.0.0.1',
    CLUSTER_PORT: String(port + 1),
    METRICS_HOST: '127.0.0.1',
    MESHPUSH_METRICS_BASE_PORT: String(metricsBase),
    ...options.env,
  });
  const pids = new Set<number>();
  const pm2 = (args: readonly string[]): Promise<string> => runPm2(args, env);
  const watchdog = startWatchdog(env);
  let killed: Promise<number[]> | undefined;
  const kill = (): Promise<number[]> =>
    (killed ??= killDaemon(home, env, pids).finally(() => stopWatchdog(watchdog, home)));
  t.teardown(kill);

  const deployment: Pm2Deployment = {
    port,
    home,
    metricsPort: (instance) => metricsBase + instance,
    pm2,
    list: async () => {
      const list = parseList(await pm2(['jlist']));
      for (const proc of list) if (proc.pid > 0) pids.add(proc.pid);
      return list;
    },
    figures: (instances) =>
      Promise.all(instances.map(async (instance) => instanceFigures(instance, metricsBase + instance))),
    seenPids: () => [...pids],
    kill,
  };
  await pm2(['start', ECOSYSTEM]);
  const daemonPid = readDaemonPid(home);
  if (daemonPid !== undefined) pids.add(daemonPid);
  await deployment.list();
  return deployment;
}

async function instanceFigures(instance: number, metricsPort: number): Promise<InstanceFigures> {
  const metrics = await scrape(metricsPort);
  const peers = metrics.samples
    .filter((s) => s.name === 'meshpush_mesh_peer_rtt_seconds')
    .map((s) => s.labels.peer ?? '');
  return { instance, peers, connected: metrics.value('meshpush_connected', { app_id: 'app-id' }) ?? 0 };
}

/**
 * True when `figures` describe a full mesh of exactly these instances: each sees all the others
 * and nobody else (n - 1 peers each, n distinct node ids across all of them).
 */
export function isFullMesh(figures: readonly InstanceFigures[]): boolean {
  const ids = new Set(figures.flatMap((f) => f.peers));
  const expected = figures.length === 1 ? 0 : figures.length;
  return ids.size === expected && figures.every((f) => f.peers.length === figures.length - 1);
}

function runPm2(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PM2_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pm2 ${args.join(' ')} did not finish within ${COMMAND_TIMEOUT_MS} ms\n${output}`));
    }, COMMAND_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`pm2 ${args.join(' ')} exited with ${code}\n${output}`));
    });
  });
}

function parseList(output: string): Pm2Process[] {
  // jlist prints one JSON array (PM2 may print notices before it).
  const start = output.indexOf('[');
  const raw = JSON.parse(output.slice(start)) as Array<{
    pm_id: number;
    pid: number;
    pm2_env: { status: string; NODE_APP_INSTANCE?: number };
  }>;
  return raw.map((p) => ({
    pmId: p.pm_id,
    pid: p.pid,
    status: p.pm2_env.status,
    instance: Number(p.pm2_env.NODE_APP_INSTANCE ?? -1),
  }));
}

function readDaemonPid(home: string): number | undefined {
  try {
    return Number(readFileSync(join(home, 'pm2.pid'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function killDaemon(home: string, env: NodeJS.ProcessEnv, pids: Set<number>): Promise<number[]> {
  await runPm2(['kill'], env).catch(() => undefined);
  const deadline = Date.now() + 10_000;
  while ([...pids].some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const survivors = [...pids].filter(isAlive);
  for (const pid of survivors) process.kill(pid, 'SIGKILL');
  return survivors;
}

/**
 * A detached process that runs `pm2 kill` and removes PM2_HOME if this test process dies
 * without its teardown (a crash, a timeout kill): the daemon is detached and would outlive it.
 */
const WATCHDOG = `
const { spawnSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const [testPid, pm2Bin] = process.argv.slice(1);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {
  try { process.kill(Number(testPid), 0); return; } catch {}
  spawnSync(process.execPath, [pm2Bin, 'kill'], { stdio: 'ignore', timeout: 30000 });
  rmSync(process.env.PM2_HOME, { recursive: true, force: true });
  process.exit(0);
}, 500);
`;

function startWatchdog(env: NodeJS.ProcessEnv): number | undefined {
  const child = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), PM2_BIN], {
    env,
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child.pid;
}

function stopWatchdog(pid: number | undefined, home: string): void {
  if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGTERM');
  rmSync(home, { recursive: true, force: true });
}

/** Every instance's log files (stdout and stderr) joined, for assertions on how they stopped. */
export function instanceLogs(home: string): string {
  const dir = join(home, 'logs');
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

/** The names of the instances' log files. */
export function logFileNames(home: string): string[] {
  return readdirSync(join(home, 'logs')).sort();
}

/** PM2's own log: starts, stops and exit codes of every instance. */
export function daemonLog(home: string): string {
  return readFileSync(join(home, 'pm2.log'), 'utf8');
}

/** A pusher-js client in a presence channel that records what it receives and how it reconnects. */
export interface FleetClient {
  readonly userId: string;
  readonly client: PusherClient;
  readonly channel: any;
  /** `seq` of every `tick` event received. */
  readonly received: Set<number>;
  /** Times the connection left 'connected'. */
  disconnects: number;
  /** For each disconnect, ms until the channel was subscribed again. */
  readonly reconnectGapsMs: number[];
  /** Subscribed now (false from a disconnect until the next subscription_succeeded). */
  subscribed: boolean;
  /** `pusher:member_removed` events seen (members that moved show up as a leave, then a join). */
  membersRemoved: number;
  /** Connection states and subscriptions with their time (`performance.now()`), for failure reports. */
  readonly history: Array<[number, string]>;
}

/**
 * `userIds.length` pusher-js clients on `port`, each joining presence `channelName` as its user
 * (authorized in-process by the `pusher` SDK), connected in batches so the machine keeps up.
 */
export async function connectFleet(
  t: TeardownHost,
  port: number,
  userIds: readonly string[],
  channelName: string,
): Promise<FleetClient[]> {
  const fleet: FleetClient[] = [];
  const server = { port };
  const sdk = pusherSdk(server);
  for (let i = 0; i < userIds.length; i += 25) {
    const batch = userIds.slice(i, i + 25).map((userId) => fleetClient(t, server, sdk, userId, channelName));
    fleet.push(...batch);
    await waitFor(() => batch.every((c) => c.subscribed), {
      timeoutMs: 30_000,
      message: 'a batch of clients subscribed',
    });
  }
  return fleet;
}

function fleetClient(
  t: TeardownHost,
  server: ServerAddress,
  sdk: Pusher,
  userId: string,
  channelName: string,
): FleetClient {
  const client = pusherClient(t, server, {
    channelAuthorization: {
      customHandler: ({ socketId }: { socketId: string }, callback: (e: unknown, a: unknown) => void) =>
        callback(null, sdk.authorizeChannel(socketId, channelName, { user_id: userId, user_info: {} })),
    },
  });
  const channel = client.subscribe(channelName);
  const entry: FleetClient = {
    userId,
    client,
    channel,
    received: new Set(),
    disconnects: 0,
    reconnectGapsMs: [],
    subscribed: false,
    membersRemoved: 0,
    history: [],
  };
  let leftAt: number | undefined;
  client.connection.bind('state_change', ({ previous, current }: { previous: string; current: string }) => {
    entry.history.push([performance.now(), current]);
    if (previous !== 'connected' || current === 'connected') return;
    entry.disconnects++;
    entry.subscribed = false;
    leftAt ??= performance.now();
  });
  channel.bind('pusher:subscription_succeeded', () => {
    entry.history.push([performance.now(), 'subscribed']);
    entry.subscribed = true;
    if (leftAt !== undefined) entry.reconnectGapsMs.push(performance.now() - leftAt);
    leftAt = undefined;
  });
  channel.bind('tick', (data: { seq: number }) => entry.received.add(data.seq));
  channel.bind('pusher:member_removed', () => entry.membersRemoved++);
  return entry;
}

/** The state history of the client with the longest reconnect gap, relative to `originMs`. */
export function slowestClient(fleet: readonly FleetClient[], originMs: number): string {
  const worst = [...fleet].sort((a, b) => Math.max(0, ...b.reconnectGapsMs) - Math.max(0, ...a.reconnectGapsMs))[0];
  if (!worst) return 'no clients';
  const steps = worst.history.map(([at, what]) => `${Math.round(at - originMs)} ${what}`).join(', ');
  return `${worst.userId} (gaps ${worst.reconnectGapsMs.map(Math.round).join(', ')} ms): ${steps}`;
}

/** Every client subscribed and counting exactly `members` members. */
export function converged(fleet: readonly FleetClient[], members: number): boolean {
  return fleet.every((c) => c.subscribed && c.channel.members.count === members);
}
