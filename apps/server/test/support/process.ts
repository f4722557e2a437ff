import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built binary: integration tests run after `build`, against what users run. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Variables passed through from the test's own environment; everything else is dropped. */
const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ'];

/**
 * A clean environment for a server process: no inherited `SOKETI_*`, `ADAPTER_*`, `PORT`,
 * `NODE_OPTIONS` or `UWS_USE_FALLBACK`, only the variables a test gives.
 */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child with its output captured and its end as a promise (settled once its streams close). */
export interface WatchedChild {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** stdout and stderr as they arrived. */
  readonly output: () => string;
  readonly exited: Promise<ExitResult>;
  /** Whether the process has ended. */
  readonly done: () => boolean;
}

export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): WatchedChild {
  return spawnWatched(process.execPath, [CLI_PATH, ...args], env);
}

/**
 * Any command, with a clean environment plus `env`. `detached`: in a process group of its own
 * (its pid is the group id), so a test can signal the group as a terminal's Ctrl+C does.
 */
export function spawnWatched(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  options: { cwd?: string; detached?: boolean } = {},
): WatchedChild {
  const child = spawn(command, args, { ...options, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    output += chunk;
  });
  let ended = false;
  const exited = new Promise<ExitResult>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, output: () => output, exited, done: () => ended };
}

/** Resolves with the exit, or rejects (with the output) when the deadline passes first. */
export async function waitForExit(watched: WatchedChild, timeoutMs: number): Promise<ExitResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`meshpush did not exit within ${timeoutMs} ms\n--- output ---\n${watched.output()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([watched.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ends a process: `signal` first, SIGKILL when it is still running after `graceMs`. */
export async function terminate(
  watched: WatchedChild,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 3000,
): Promise<ExitResult> {
  if (watched.done()) return watched.exited;
  watched.child.kill(signal);
  try {
    return await waitForExit(watched, graceMs);
  } catch {
    watched.child.kill('SIGKILL');
    return watched.exited;
  }
}

export interface CliRun extends ExitResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs `meshpush <args>` to completion (for commands that should exit, such as a start that must
 * fail). Kills it and rejects with its output if it is still running at the deadline.
 */
export async function runCli(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const watched = spawnCli(args, options.env);
  try {
    const result = await waitForExit(watched, options.timeoutMs ?? 15_000);
    return { ...result, stdout: watched.stdout(), stderr: watched.stderr() };
  } finally {
    if (!watched.done()) watched.child.kill('SIGKILL');
  }
}
