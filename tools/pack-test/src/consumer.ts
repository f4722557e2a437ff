import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pack, publishedPackages, repoRoot, run, type PublishedPackage, type Tarball } from './workspace.js';

/**
 * The environment of everything run in the consumer directory: the caller's, minus what pnpm
 * adds for its scripts (`npm_config_*`, `pnpm_*`, `npm_*`), so plain npm sees only its own config.
 */
export function consumerEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_)/i.test(name) && name !== 'NODE_OPTIONS') env[name] = value;
  }
  return { ...env, ...extra };
}

/** An example of a published package, copied into the consumer so its imports resolve there. */
export interface Example {
  /** Where it lives in the repository, e.g. `packages/mesh-transport/examples/two-nodes.mjs`. */
  readonly source: string;
  /** Its copy in the consumer directory. */
  readonly path: string;
}

/** An empty npm project outside the workspace with every tarball installed by plain npm. */
export interface Consumer {
  readonly dir: string;
  readonly tarballs: readonly Tarball[];
  readonly examples: readonly Example[];
  dispose(): Promise<void>;
}

/** Example files (`examples/*.mjs`) of one package, relative to the repository root. */
export async function exampleFiles(pkg: PublishedPackage): Promise<string[]> {
  const dir = join(repoRoot, pkg.dir, 'examples');
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries.filter((name) => name.endsWith('.mjs')).sort().map((name) => `${pkg.dir}/examples/${name}`);
}

/**
 * Packs every published package, creates a directory in os.tmpdir() and `npm install`s the
 * tarballs there, with `extraDependencies` (name → version) from the registry.
 */
export async function createConsumer(extraDependencies: Readonly<Record<string, string>>): Promise<Consumer> {
  const dir = await mkdtemp(join(tmpdir(), 'meshpush-consumer-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const tarballDir = join(dir, 'tarballs');
    await mkdir(tarballDir);
    const packages = await publishedPackages();
    const tarballs: Tarball[] = [];
    for (const pkg of packages) tarballs.push(await pack(pkg, tarballDir));
    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'meshpush-consumer', private: true, type: 'module' }, null, 2));
    const specs = [...tarballs.map((tarball) => tarball.path), ...Object.entries(extraDependencies).map(([name, version]) => `${name}@${version}`)];
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
      cwd: app,
      env: consumerEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    const examples: Example[] = [];
    for (const pkg of packages) {
      for (const source of await exampleFiles(pkg)) {
        const path = join(app, 'examples', basename(pkg.dir), basename(source));
        await mkdir(join(path, '..'), { recursive: true });
        await copyFile(join(repoRoot, source), path);
        examples.push({ source, path });
      }
    }
    return { dir: app, tarballs, examples, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** A process started in the consumer directory, with its output captured. */
export interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a command in its own process group (npx runs the binary through a shell), so that
 * `stopGroup` reaches every process it made.
 */
export function startInGroup(command: string, args: readonly string[], cwd: string): Started {
  const child = spawn(command, args, { cwd, env: consumerEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, output: () => output, exited };
}

/** Signals the whole group; SIGKILL when it has not exited after `graceMs`. Resolves once it exited. */
export async function stopGroup(started: Started, signal: NodeJS.Signals, graceMs: number): Promise<boolean> {
  if (started.child.pid === undefined || started.child.exitCode !== null || started.child.signalCode !== null) return true;
  signalGroup(started.child.pid, signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  const exitedInTime = await Promise.race([started.exited.then(() => true as const), timedOut]);
  clearTimeout(timer);
  if (!exitedInTime) {
    signalGroup(started.child.pid, 'SIGKILL');
    await started.exited;
  }
  return exitedInTime;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Resolves with the first match of `pattern` in the output, or rejects with the output at the deadline or exit. */
export function waitForOutput(started: Started, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const streams = [started.child.stdout, started.child.stderr];
    const check = (): void => {
      const match = started.output().match(pattern);
      if (match) finish(() => resolve(match));
    };
    const fail = (why: string): void => {
      finish(() => reject(new Error(`no ${String(pattern)} in the output: ${why}\n--- output ---\n${started.output()}`)));
    };
    const timer = setTimeout(() => fail(`not within ${timeoutMs} ms`), timeoutMs);
    const onExit = (): void => fail('the process exited');
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      for (const stream of streams) stream?.off('data', check);
      started.child.off('close', onExit);
      settle();
    };
    for (const stream of streams) stream?.on('data', check);
    started.child.on('close', onExit);
    check();
  });
}
