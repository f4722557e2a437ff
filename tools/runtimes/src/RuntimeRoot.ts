import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnWatched, terminate, type WatchedProcess } from '@meshpush/test-support';
import type { RuntimeInputs } from './cache.js';
import { sh } from './system.js';

/** By path: the chrooted process's PATH is the root's, and spawn looks the command up in it. */
const CHROOT = '/usr/sbin/chroot';

/** Where Node is installed inside the root. */
export const ROOT_NODE = '/usr/local/bin/node';

/** The only variables a chrooted process gets: the host's (NODE_OPTIONS, CA paths) do not apply there. */
const BASE_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/root', LANG: 'C.UTF-8' };

/**
 * A throwaway Debian root with one Node release, for running processes under `chroot`. The
 * network namespace is the host's, so they listen on the host's loopback. `binds` are host
 * directories mounted read-only at the same path inside, so that pnpm's symlinked
 * `node_modules` of a checkout resolve there as they do outside.
 */
export class RuntimeRoot {
  readonly dir: string;
  readonly #mounts: string[] = [];
  readonly #processes = new Set<WatchedProcess>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Unpacks the cached root and Node into a fresh directory and mounts /proc, /dev and `binds`. */
  static async create(inputs: RuntimeInputs, binds: readonly string[]): Promise<RuntimeRoot> {
    await removeStaleRoots();
    const root = new RuntimeRoot(await mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`)));
    live.add(root.dir);
    try {
      await sh('tar', ['-xf', inputs.rootfsTar, '-C', root.dir]);
      const bin = join(root.dir, 'usr/local/bin');
      await mkdir(bin, { recursive: true });
      await sh('tar', ['-xzf', inputs.nodeTarball, '-C', bin, '--strip-components=2', 'package/bin/node']);
      await root.#mount(['-t', 'proc', 'proc'], '/proc');
      await root.#mount(['--bind', '/dev'], '/dev');
      for (const path of binds) await root.#bindReadOnly(path);
    } catch (error) {
      await root.close();
      throw error;
    }
    return root;
  }

  /** Starts `node <args>` inside the root with `env` (plus PATH, HOME, LANG), output captured. */
  spawnNode(args: readonly string[], env: Readonly<Record<string, string>> = {}): WatchedProcess {
    const watched = spawnWatched(CHROOT, [this.dir, ROOT_NODE, ...args], { env: { ...BASE_ENV, ...env }, cwd: '/' });
    this.#processes.add(watched);
    return watched;
  }

  /** Runs `node <args>` inside the root to completion and returns its stdout. */
  runNode(args: readonly string[]): Promise<string> {
    return sh(CHROOT, [this.dir, ROOT_NODE, ...args], { env: BASE_ENV, cwd: '/' });
  }

  /**
   * Stops every process, unmounts in reverse order and deletes the root. The directory is
   * deleted only when nothing is mounted below it any more: a bind mount of the checkout must
   * never be walked by `rm`.
   */
  async close(): Promise<void> {
    await Promise.all([...this.#processes].map((watched) => terminate(watched, 'SIGTERM', 5000)));
    this.#processes.clear();
    for (const target of this.#mounts.reverse()) {
      await sh('umount', [target]).catch(() => sh('umount', ['--lazy', target]));
    }
    this.#mounts.length = 0;
    const left = mountsBelow(this.dir);
    if (left.length > 0) throw new Error(`still mounted, ${this.dir} kept: ${left.join(', ')}`);
    await rm(this.dir, { recursive: true, force: true });
    live.delete(this.dir);
  }

  async #mount(args: readonly string[], inside: string): Promise<void> {
    const target = join(this.dir, inside);
    await mkdir(target, { recursive: true });
    await sh('mount', [...args, target]);
    this.#mounts.push(target);
  }

  async #bindReadOnly(path: string): Promise<void> {
    await this.#mount(['--bind', path], path);
    await sh('mount', ['-o', 'remount,bind,ro', join(this.dir, path)]);
  }
}

const PREFIX = 'meshpush-runtime-';

/** Roots of this process not closed yet: released at exit even when a teardown never ran. */
const live = new Set<string>();
process.once('exit', () => {
  for (const dir of live) releaseSync(dir);
});

/** Mount points at or below `dir`, deepest first, from this process's mount table. */
function mountsBelow(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Lazily unmounts everything below `dir`, then deletes it if nothing is mounted there any more. */
function releaseSync(dir: string): void {
  for (const point of mountsBelow(dir)) {
    try {
      execFileSync('umount', ['--lazy', point], { stdio: 'ignore' });
    } catch {
      // Left for the check below, which then keeps the directory.
    }
  }
  if (mountsBelow(dir).length === 0) rmSync(dir, { recursive: true, force: true });
}

/** Roots left by a run that was killed (its pid is in the name and no longer alive). */
async function removeStaleRoots(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const pid = Number(/^meshpush-runtime-(\d+)-/.exec(name)?.[1] ?? 0);
    if (pid > 0 && !alive(pid)) {
      const dir = join(tmpdir(), name);
      killProcessesRootedIn(dir);
      releaseSync(dir);
    }
  }
}

/** SIGKILLs the processes whose root directory is `dir` (servers a killed run left behind). */
function killProcessesRootedIn(dir: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/root`) === dir) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // The process ended meanwhile, or is not ours to inspect.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
