import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { LAB_PREFIX, LAB_RANGE } from './plan.js';

const execFileAsync = promisify(execFile);

/** Where `ip netns exec` looks for per-namespace files (it bind-mounts them over /etc). */
export const NETNS_ETC = '/etc/netns';
/** Held while a lab runs: its pid, so a second run can tell a live lab from a killed one. */
export const LOCK_FILE = '/run/meshpush-netlab.lock';

/** Why the lab cannot run here, or `undefined` when it can (Linux, root, iproute2). */
export function labUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `netlab needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'netlab needs root (ip netns, veth links, routes)';
  const missing = missingCapabilities();
  if (missing.length > 0)
    return `netlab needs ${missing.join(' and ')}, which this root process lacks (an unprivileged container?)`;
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'netlab needs iproute2 (`ip` is not on PATH)';
  }
  try {
    execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'netlab needs setpriv (util-linux) to tie lab processes to the test process';
  }
  return undefined;
}

/** Capabilities `ip netns` needs (bits of CapEff): network setup, and mounts for `netns exec`. */
const NEEDED_CAPABILITIES = [
  ['CAP_NET_ADMIN', 12n],
  ['CAP_SYS_ADMIN', 21n],
] as const;

function missingCapabilities(): string[] {
  let effective: bigint;
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hex === undefined) return [];
    effective = BigInt(`0x${hex}`);
  } catch {
    return [];
  }
  return NEEDED_CAPABILITIES.filter(([, bit]) => ((effective >> bit) & 1n) === 0n).map(([name]) => name);
}

/** Runs `ip …`; rejects with the command and its stderr. */
export async function ip(...args: string[]): Promise<void> {
  try {
    await execFileAsync('ip', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

/** `ip …` for cleanup paths: never throws, because what it removes may already be gone. */
function ipQuiet(...args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** Names of lab namespaces present now, including those of a killed run. */
export function labNamespaces(): string[] {
  return ipQuiet('netns', 'list')
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(LAB_PREFIX));
}

/**
 * Removes everything a lab leaves behind: kills every process still inside a lab namespace,
 * deletes the namespaces (their veth links and routes go with them), the hosts files and the
 * root namespace's blackhole route. Synchronous, so it also works from an `exit` handler.
 */
export function removeLabLeftovers(): void {
  for (const namespace of labNamespaces()) {
    for (const pid of ipQuiet('netns', 'pids', namespace)
      .split('\n')
      .map(Number)
      .filter((n) => n > 0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    ipQuiet('netns', 'del', namespace);
  }
  if (existsSync(NETNS_ETC)) {
    for (const entry of readdirSync(NETNS_ETC)) {
      if (entry.startsWith(LAB_PREFIX)) rmSync(`${NETNS_ETC}/${entry}`, { recursive: true, force: true });
    }
  }
  if (ipQuiet('route', 'show', 'type', 'blackhole', LAB_RANGE).trim() !== '')
    ipQuiet('route', 'del', 'blackhole', LAB_RANGE);
}

/**
 * Whether the root namespace refuses to route to `address` (the lab's blackhole is in place).
 * Asks the kernel's routing table only: nothing is sent.
 */
export function rootNamespaceBlocks(address: string): boolean {
  const blackhole = ipQuiet('route', 'show', 'type', 'blackhole', LAB_RANGE).trim() !== '';
  try {
    execFileSync('ip', ['route', 'get', address], { stdio: 'ignore' });
    return false;
  } catch {
    return blackhole;
  }
}

/** Takes the lab lock; throws when another live process holds it (a stale lock is taken over). */
export function acquireLabLock(): void {
  if (existsSync(LOCK_FILE)) {
    const holder = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    if (holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(`another netlab run (pid ${holder}) is active; it holds ${LOCK_FILE}`);
    }
  }
  writeFileSync(LOCK_FILE, `${process.pid}\n`);
}

/** Removes the lock of a run that was killed (its holder is gone); a live holder's lock stays. */
export function removeStaleLabLock(): void {
  try {
    const holder = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    if (!(holder > 0 && isAlive(holder))) rmSync(LOCK_FILE, { force: true });
  } catch {
    // no lock
  }
}

export function releaseLabLock(): void {
  try {
    if (Number(readFileSync(LOCK_FILE, 'utf8').trim()) === process.pid) rmSync(LOCK_FILE, { force: true });
  } catch {
    // no lock
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
