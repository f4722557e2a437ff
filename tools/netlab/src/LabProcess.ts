import { spawn, type ChildProcess } from 'node:child_process';
import type { LabHost } from './plan.js';

/** Variables a lab process inherits from the lab's own environment; everything else is dropped. */
const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ'];

export interface SpawnInHostOptions {
  /** Environment on top of a clean one (PATH, HOME, LANG, TMPDIR, TZ). */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Give the child a stdin pipe (for drivers that read commands). @default false */
  stdin?: boolean;
}

/** A process running inside a lab namespace, with its output captured. */
export interface LabProcess {
  readonly host: LabHost;
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout + stderr as they arrived. */
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running(): boolean;
  /** Sends `signal` and waits for the exit, with SIGKILL after `graceMs` (SIGSTOP/SIGCONT return at once). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * Runs `command args…` inside `host`'s namespace. `ip netns exec` enters the namespace (and
 * bind-mounts the namespace's hosts file) and then execs `setpriv`, which execs the command with
 * a parent-death signal: if the lab's own process dies, even by SIGKILL, the kernel kills the
 * child, so no server outlives its lab.
 */
export function spawnInHost(
  host: LabHost,
  command: string,
  args: readonly string[],
  options: SpawnInHostOptions = {},
): LabProcess {
  const argv = ['netns', 'exec', host.namespace, 'setpriv', '--pdeathsig', 'KILL', '--', command, ...args];
  const child = spawn('ip', argv, {
    env: cleanEnv(options.env),
    cwd: options.cwd,
    stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command} in ${host.namespace}`);
  let output = '';
  const append = (chunk: string): void => {
    output += chunk;
    // Keep long-running logs bounded: the tail is what explains a failure.
    if (output.length > 1_000_000) output = output.slice(-500_000);
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> => {
    if (ended) return;
    child.kill(signal);
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') return;
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { host, child, pid: child.pid, output: () => output, exited, running: () => !ended, stop };
}

function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}
