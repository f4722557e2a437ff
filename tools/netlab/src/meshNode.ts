import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Lab } from './Lab.js';
import type { LabProcess } from './LabProcess.js';
import { HEADLESS_NAME, type LabHost } from './plan.js';

/** The built server: the lab runs what users run. */
export const CLI_PATH = fileURLToPath(new URL('../../../apps/server/dist/cli.js', import.meta.url));
/** Every server host listens on the same ports, on its own address: they are separate machines. */
export const SERVER_PORT = 6001;
export const MESH_PORT = 11002;
const READY_LINE = /^meshpush ready (\{.*\})$/m;

/** Mesh timings of the lab (ms): the shipped defaults are 500 / 2000 / 2000, only slower. */
export const LAB_TIMING = Object.freeze({ checkIntervalMs: 250, nodeTimeoutMs: 1500, masterTimeoutMs: 1000 });

export interface MeshNodeOptions {
  /** Extra environment of the server (on top of the lab's cluster settings). */
  env?: Readonly<Record<string, string>>;
  /** @default 20000 */
  readyTimeoutMs?: number;
}

/** A meshpush server running in a lab host. */
export interface MeshNode {
  readonly host: LabHost;
  readonly process: LabProcess;
  /** `http://<service address>:6001`, reachable from the lab's hosts only. */
  readonly httpBase: string;
}

/** The environment of a lab server: bound to its service address, seeded by the headless name only. */
export function meshNodeEnv(host: LabHost): Record<string, string> {
  return {
    ADAPTER_DRIVER: 'cluster',
    CLUSTER_HOST: host.address,
    CLUSTER_PORT: String(MESH_PORT),
    CLUSTER_SEEDS: `${HEADLESS_NAME}:${MESH_PORT}`,
    CLUSTER_SECRET: 'netlab-secret',
    CLUSTER_CHECK_INTERVAL: String(LAB_TIMING.checkIntervalMs),
    CLUSTER_NODE_TIMEOUT: String(LAB_TIMING.nodeTimeoutMs),
    CLUSTER_MASTER_TIMEOUT: String(LAB_TIMING.masterTimeoutMs),
    DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true',
  };
}

/** Starts `meshpush start` inside `hostName` and waits for its ready line. */
export async function startMeshNode(lab: Lab, hostName: string, options: MeshNodeOptions = {}): Promise<MeshNode> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: build first (pnpm --filter meshpush... build)`);
  const host = lab.host(hostName);
  const args = [CLI_PATH, 'start', '--host', host.address, '--port', String(SERVER_PORT)];
  const server = lab.spawn(hostName, process.execPath, args, { env: { ...meshNodeEnv(host), ...options.env } });
  await waitForReady(server, options.readyTimeoutMs ?? 20_000);
  return { host, process: server, httpBase: `http://${host.address}:${SERVER_PORT}` };
}

function waitForReady(server: LabProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      cleanup();
      server.child.kill('SIGKILL');
      reject(new Error(`meshpush on ${server.host.name} ${why}\n--- output ---\n${server.output()}`));
    };
    const onData = (): void => {
      if (!READY_LINE.test(server.output())) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => fail(`printed no ready line within ${timeoutMs} ms`), timeoutMs);
    const cleanup = (): void => {
      settled = true;
      clearTimeout(timer);
      server.child.stdout?.off('data', onData);
    };
    server.child.stdout?.on('data', onData);
    void server.exited.then(({ code, signal }) => fail(`exited (code ${code}, signal ${signal}) before it was ready`));
  });
}
