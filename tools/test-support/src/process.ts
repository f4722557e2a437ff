import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** How a process ended. */
export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child with its output captured and its end as a promise (settled once its streams close). */
export interface WatchedProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** stdout and stderr as they arrived. */
  readonly output: () => string;
  readonly exited: Promise<ExitResult>;
  readonly done: () => boolean;
}

/** Processes still running, killed if the test process ends without its teardown. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `command` with stdout and stderr captured; it is SIGKILLed if the test process exits first. */
export function spawnWatched(command: string, args: readonly string[], options: SpawnOptions = {}): WatchedProcess {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  let output = '';
  const append = (chunk: string): void => {
    output += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    append(chunk);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    append(chunk);
  });
  let ended = false;
  const exited = new Promise<ExitResult>((resolve) => {
    child.on('error', (error) => append(`spawn ${command}: ${error.message}\n`));
    child.on('close', (code, signal) => {
      ended = true;
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, output: () => output, exited, done: () => ended };
}

/** Resolves with the exit, or rejects (with the output) when the deadline passes first. */
export async function waitForExit(watched: WatchedProcess, timeoutMs: number): Promise<ExitResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const command = watched.child.spawnargs.join(' ');
      reject(new Error(`${command} did not exit within ${timeoutMs} ms\n--- output ---\n${watched.output()}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([watched.exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ends a process: `signal` first, SIGKILL when it is still running after `graceMs`. */
export async function terminate(
  watched: WatchedProcess,
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

/**
 * Signals every process of the group `child` leads (it was spawned `detached`), as a terminal's
 * Ctrl+C does: a child's own children (pnpm's script, npx's shell) get it too.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Variables passed through from the test's own environment by {@link cleanEnv}. */
const PASSED_THROUGH = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ'];

/**
 * A clean environment for a child: PATH, HOME, LANG, TMPDIR and TZ of this process plus `extra`,
 * so no inherited `SOKETI_*`, `ADAPTER_*`, `PORT`, `NODE_OPTIONS` or `UWS_USE_FALLBACK` changes
 * what the child does.
 */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}
