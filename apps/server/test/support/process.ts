import { fileURLToPath } from 'node:url';
import { cleanEnv, spawnWatched, waitForExit, type ExitResult, type WatchedProcess } from '@meshpush/test-support';

/** The built binary: integration tests run after `build`, against what users run. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** `meshpush <args>` with a clean environment plus `env` (nothing inherited but PATH, HOME…). */
export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): WatchedProcess {
  return spawnWatched(process.execPath, [CLI_PATH, ...args], { env: cleanEnv(env) });
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
