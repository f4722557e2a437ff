import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { signalGroup } from '@meshpush/test-support';
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

/** An example of a published package, copied into a consumer so that its imports resolve there. */
export interface Example {
  /** Where it lives in the repository, e.g. `packages/mesh-transport/examples/two-nodes.mjs`. */
  readonly source: string;
  /** Its copy in the consumer directory. */
  readonly path: string;
}

/**
 * An npm project outside the workspace that installed one published package the way a user
 * would: its tarball, the tarballs of the workspace packages it depends on (they are not on the
 * registry yet), and the registry packages its examples need. Nothing else, so an import the
 * package does not declare fails here.
 */
export interface Consumer {
  /** The package it was made for. */
  readonly name: string;
  readonly dir: string;
  readonly tarballs: readonly Tarball[];
  /** That package's examples, copied into `dir`. */
  readonly examples: readonly Example[];
}

/** Every published package packed once, and one consumer per package. */
export interface ConsumerSet {
  readonly tarballs: readonly Tarball[];
  readonly consumers: readonly Consumer[];
  consumerOf(name: string): Consumer;
  dispose(): Promise<void>;
}

/** Example files (`examples/*.mjs`) of one package, relative to the repository root. */
export async function exampleFiles(pkg: PublishedPackage): Promise<string[]> {
  const dir = join(repoRoot, pkg.dir, 'examples');
  const entries = await readdir(dir).catch(() => [] as string[]);
  return entries
    .filter((name) => name.endsWith('.mjs'))
    .sort()
    .map((name) => `${pkg.dir}/examples/${name}`);
}

/** Copies example files (repository paths) into `dir/subdir/<package folder>/`. */
export async function copyExamples(dir: string, subdir: string, sources: readonly string[]): Promise<Example[]> {
  const examples: Example[] = [];
  for (const source of sources) {
    const path = join(dir, subdir, basename(join(source, '../..')), basename(source));
    await mkdir(join(path, '..'), { recursive: true });
    await copyFile(join(repoRoot, source), path);
    examples.push({ source, path });
  }
  return examples;
}

/** A package and the published packages it depends on, directly or not. */
function withInternalDependencies(pkg: PublishedPackage, all: readonly PublishedPackage[]): PublishedPackage[] {
  const found = new Set<PublishedPackage>();
  const visit = (current: PublishedPackage): void => {
    if (found.has(current)) return;
    found.add(current);
    for (const dep of Object.keys(current.manifest.dependencies ?? {})) {
      const inner = all.find((candidate) => candidate.manifest.name === dep);
      if (inner) visit(inner);
    }
  };
  visit(pkg);
  return all.filter((candidate) => found.has(candidate));
}

/**
 * Packs every published package into a directory under os.tmpdir(), then makes one consumer
 * per package there with plain `npm install` (see {@link Consumer}); `extraDependencies` gives
 * the packages (name → version) a package's examples need: from the registry, or, for a
 * published workspace package, its tarball (with those it depends on).
 */
export async function createConsumers(
  extraDependencies: (pkg: PublishedPackage) => Readonly<Record<string, string>>,
): Promise<ConsumerSet> {
  const root = await mkdtemp(join(tmpdir(), 'meshpush-consumers-'));
  const dispose = (): Promise<void> => rm(root, { recursive: true, force: true });
  try {
    const tarballDir = join(root, 'tarballs');
    await mkdir(tarballDir);
    const packages = await publishedPackages();
    const tarballOf = new Map<PublishedPackage, Tarball>();
    for (const pkg of packages) tarballOf.set(pkg, await pack(pkg, tarballDir));
    const consumers: Consumer[] = [];
    for (const pkg of packages) {
      const dir = join(root, basename(pkg.dir));
      await mkdir(dir);
      await writeFile(
        join(dir, 'package.json'),
        JSON.stringify({ name: `consumer-of-${basename(pkg.dir)}`, private: true, type: 'module' }, null, 2),
      );
      const wanted = Object.entries(extraDependencies(pkg));
      const workspaceExtras = packages.filter((inner) => wanted.some(([name]) => name === inner.manifest.name));
      const tarballs = [pkg, ...workspaceExtras]
        .flatMap((root) => withInternalDependencies(root, packages))
        .filter((inner, index, all) => all.indexOf(inner) === index)
        .map((inner) => tarballOf.get(inner))
        .filter((tarball) => tarball !== undefined);
      const extras = wanted
        .filter(([name]) => !workspaceExtras.some((inner) => inner.manifest.name === name))
        .map(([name, version]) => `${name}@${version}`);
      await run(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
          ...tarballs.map((tarball) => tarball.path),
          ...extras,
        ],
        {
          cwd: dir,
          env: consumerEnv(),
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      consumers.push({
        name: pkg.manifest.name,
        dir,
        tarballs,
        examples: await copyExamples(dir, 'examples', await exampleFiles(pkg)),
      });
    }
    const consumerOf = (name: string): Consumer => {
      const consumer = consumers.find((candidate) => candidate.name === name);
      if (!consumer) throw new Error(`no consumer for ${name}`);
      return consumer;
    };
    return { tarballs: [...tarballOf.values()], consumers, consumerOf, dispose };
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
  if (started.child.pid === undefined || started.child.exitCode !== null || started.child.signalCode !== null)
    return true;
  signalGroup(started.child, signal);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  const exitedInTime = await Promise.race([started.exited.then(() => true as const), timedOut]);
  clearTimeout(timer);
  if (!exitedInTime) {
    signalGroup(started.child, 'SIGKILL');
    await started.exited;
  }
  return exitedInTime;
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
      finish(() =>
        reject(new Error(`no ${String(pattern)} in the output: ${why}\n--- output ---\n${started.output()}`)),
      );
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
