import type { ChildProcess } from 'node:child_process';
import {
  terminate,
  waitForExit,
  type ExitResult,
  type TeardownHost,
  type WatchedProcess,
} from '@meshpush/test-support';
import { spawnCli } from './process.js';

// The shared fixtures, re-exported for the cluster-support and webhooks-heal files that import
// them from here.
export {
  cleanEnv,
  DEFAULT_APP,
  pusherClient,
  pusherSdk,
  waitFor,
  type ExitResult,
  type PusherClient,
  type TeardownHost,
  type WaitOptions,
} from '@meshpush/test-support';
export { runCli, type CliRun } from './process.js';

export interface StartServerOptions {
  /** Environment of the server process, on top of a clean one (nothing inherited but PATH/HOME…). */
  env?: Record<string, string>;
  /** Extra CLI arguments after `start --host 127.0.0.1 --port 0`; a repeated flag wins (`--port 6001`). */
  args?: string[];
  /** @default 15000 */
  readyTimeoutMs?: number;
}

/** A `meshpush start` process that printed its ready line. */
export interface RunningServer {
  /** The bound WebSocket/HTTP port. */
  readonly port: number;
  /** The bound metrics port, when the server runs with metrics on. */
  readonly metricsPort: number | undefined;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` (no path prefix). */
  readonly httpBase: string;
  /** Sends `signal` (default SIGTERM) and waits for the exit (rejects after 15 s with the output). */
  stop(signal?: NodeJS.Signals): Promise<ExitResult>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<ExitResult>;
  /** stdout + stderr so far. */
  output(): string;
  readonly child: ChildProcess;
}

const READY_LINE = /^meshpush ready (\{.*\})$/m;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Spawns the built `meshpush start --host 127.0.0.1 --port 0` and waits for its ready line.
 * Fails with the process's output when it exits or the deadline passes first. The process is
 * ended at teardown (SIGTERM, then SIGKILL after 3 s).
 */
export async function startServer(t: TeardownHost, options: StartServerOptions = {}): Promise<RunningServer> {
  const args = ['start', '--host', '127.0.0.1', '--port', '0', ...(options.args ?? [])];
  const watched = spawnCli(args, options.env);
  t.teardown(() => terminate(watched));
  const ready = await readyInfo(watched, options.readyTimeoutMs ?? 15_000);
  return {
    port: ready.port,
    metricsPort: ready.metricsPort,
    pid: ready.pid,
    httpBase: `http://127.0.0.1:${ready.port}`,
    stop: (signal = 'SIGTERM') => {
      watched.child.kill(signal);
      return waitForExit(watched, STOP_TIMEOUT_MS);
    },
    kill: () => terminate(watched, 'SIGKILL'),
    output: watched.output,
    child: watched.child,
  };
}

interface ReadyInfo {
  port: number;
  pid: number;
  metricsPort?: number;
}

function readyInfo(watched: WatchedProcess, timeoutMs: number): Promise<ReadyInfo> {
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      cleanup();
      watched.child.kill('SIGKILL');
      reject(new Error(`meshpush ${why}\n--- output ---\n${watched.output()}`));
    };
    const onData = (): void => {
      const match = READY_LINE.exec(watched.stdout());
      if (!match?.[1]) return;
      cleanup();
      resolve(JSON.parse(match[1]) as ReadyInfo);
    };
    const timer = setTimeout(() => fail(`printed no ready line within ${timeoutMs} ms`), timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      watched.child.stdout?.off('data', onData);
    };
    watched.child.stdout?.on('data', onData);
    void watched.exited.then(({ code, signal }) => fail(`exited (code ${code}, signal ${signal}) before it was ready`));
  });
}
