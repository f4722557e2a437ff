import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** How a process ended. */
export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child with its output captured and its end as a promise (settled once its streams close). */
export interface WatchedProcess {
  readonly child: ChildProcess;
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
  let output = '';
  const append = (chunk: string): void => {
    output += chunk;
  };
  child.stdout?.setEncoding('utf8').on('data', append);
  child.stderr?.setEncoding('utf8').on('data', append);
  let ended = false;
  const exited = new Promise<ExitResult>((resolve) => {
    child.on('error', (error) => append(`spawn ${command}: ${error.message}\n`));
    child.on('close', (code, signal) => {
      ended = true;
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, output: () => output, exited, done: () => ended };
}

/** Ends a process: `signal` first, SIGKILL when it is still running after `graceMs`. */
export async function terminate(
  watched: WatchedProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 3000,
): Promise<ExitResult> {
  if (watched.done()) return watched.exited;
  watched.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  const first = await Promise.race([watched.exited, late]);
  clearTimeout(timer);
  if (first !== 'late') return first;
  watched.child.kill('SIGKILL');
  return watched.exited;
}
