import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why the runtime matrix cannot run on this machine, or undefined when it can. */
export function runtimesUnavailable(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the runtime matrix needs Linux x64';
  if (process.getuid?.() !== 0) return 'the runtime matrix needs root (mmdebstrap, chroot, mounts)';
  return undefined;
}

/** Runs a command to completion; rejects with its stderr when it fails. */
export async function sh(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<string> {
  const { timeoutMs = 300_000, env = process.env, cwd } = options;
  try {
    const { stdout } = await run(command, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env, cwd });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr?.trim() || (error as Error).message}`, {
      cause: error,
    });
  }
}

async function hasCommand(command: string): Promise<boolean> {
  return sh('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
}

/**
 * Installs the Debian packages that provide `commands` when one is missing. A fresh machine's
 * package lists may be empty or stale, so a failed install is retried after `apt-get update`.
 */
export async function ensureDebianPackages(commands: Readonly<Record<string, string>>): Promise<void> {
  const missing: string[] = [];
  for (const [command, pkg] of Object.entries(commands)) if (!(await hasCommand(command))) missing.push(pkg);
  if (missing.length === 0) return;
  const install = ['-o', 'DPkg::Lock::Timeout=120', 'install', '-y', '--no-install-recommends', ...missing];
  const options = { timeoutMs: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  try {
    await sh('apt-get', install, options);
  } catch {
    await sh('apt-get', ['-o', 'DPkg::Lock::Timeout=120', 'update'], options);
    await sh('apt-get', install, options);
  }
}
