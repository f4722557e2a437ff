import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REPO_ROOT, SERVER_CLI } from './paths.js';

export interface BuildResult {
  /** `built`: turbo ran (or replayed its cache); `stale`: the build failed, an older dist is used. */
  readonly outcome: 'built' | 'stale';
  /** The build's output when it failed. */
  readonly output: string;
}

const BUILD_TIMEOUT_MS = 180_000;

/**
 * Builds the server and its packages with turbo (`--filter=meshpush...`): turbo hashes the sources
 * and only rebuilds what changed, so an up-to-date tree costs well under a second. When the build
 * fails but a `dist/cli.js` exists, the caller may go on with it (others may be mid-edit); without
 * one this throws with the build's output.
 */
export async function ensureBuilt(): Promise<BuildResult> {
  const { code, output } = await runTurboBuild();
  if (code === 0 && existsSync(SERVER_CLI)) return { outcome: 'built', output: '' };
  if (existsSync(SERVER_CLI)) return { outcome: 'stale', output };
  throw new Error(`the server build failed and ${SERVER_CLI} does not exist:\n${output}`);
}

function runTurboBuild(): Promise<{ code: number | null; output: string }> {
  const args = ['exec', 'turbo', 'run', 'build', '--filter=meshpush...', '--output-logs=errors-only'];
  const child = spawn('pnpm', args, {
    cwd: REPO_ROOT,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      output += String(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
