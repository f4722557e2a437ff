import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** The monorepo root (this file is tools/pack-test/src/workspace.ts). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** The workspace folders whose packages may be published (pnpm-workspace.yaml lists the same). */
const WORKSPACE_FOLDERS = ['packages', 'apps', 'tools'];

/** The fields of a package.json these checks read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  license?: string;
  keywords?: string[];
  repository?: { type?: string; url?: string; directory?: string };
  type?: string;
  exports?: Record<string, unknown>;
  publishConfig?: { access?: string; exports?: Record<string, unknown> };
  bin?: Record<string, string>;
  files?: string[];
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** A workspace package that is published to npm (not `private`). */
export interface PublishedPackage {
  /** Folder relative to the repository root, e.g. `packages/mesh-transport`. */
  readonly dir: string;
  readonly manifest: Manifest;
}

export async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every non-private workspace package, in dependency order (a package after what it uses). */
export async function publishedPackages(): Promise<PublishedPackage[]> {
  const found: PublishedPackage[] = [];
  for (const folder of WORKSPACE_FOLDERS) {
    for (const entry of await readdir(join(repoRoot, folder), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = `${folder}/${entry.name}`;
      const manifest = await readManifest(join(repoRoot, dir)).catch(() => undefined);
      if (manifest && !manifest.private) found.push({ dir, manifest });
    }
  }
  return dependencyOrder(found);
}

function dependencyOrder(packages: PublishedPackage[]): PublishedPackage[] {
  const byName = new Map(packages.map((pkg) => [pkg.manifest.name, pkg]));
  const ordered: PublishedPackage[] = [];
  const visit = (pkg: PublishedPackage): void => {
    if (ordered.includes(pkg)) return;
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) {
      const inner = byName.get(dep);
      if (inner) visit(inner);
    }
    ordered.push(pkg);
  };
  packages.forEach(visit);
  return ordered;
}

/** One tarball made by `pnpm pack` (which rewrites `workspace:` ranges and applies `publishConfig`). */
export interface Tarball {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the .tgz. */
  readonly path: string;
  readonly files: readonly string[];
}

export async function pack(pkg: PublishedPackage, destination: string): Promise<Tarball> {
  const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], {
    cwd: join(repoRoot, pkg.dir),
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
    name: string;
    version: string;
    filename: string;
    files: { path: string }[];
  };
  return {
    name: result.name,
    version: result.version,
    path: result.filename,
    files: result.files.map((file) => file.path),
  };
}

/** The package.json inside a tarball, as a consumer's npm sees it. */
export async function packedManifest(tarball: Tarball): Promise<Manifest> {
  const { stdout } = await run('tar', ['-xzOf', tarball.path, 'package/package.json'], { maxBuffer: 4 * 1024 * 1024 });
  return JSON.parse(stdout) as Manifest;
}
