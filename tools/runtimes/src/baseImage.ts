import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, npmTarball, runtimeInputs } from './cache.js';
import { sh } from './system.js';
import { DEBIAN_ROOT, NODE_RELEASES, NPM_RELEASE, type NodeMajor } from './versions.js';

/**
 * The Debian root with Node and npm in /usr/local, as one tar archive for `podman import`: a
 * local stand-in for the official `node:<major>-<suite>-slim` image. Cached by its versions.
 */
export async function baseImageTar(major: NodeMajor): Promise<string> {
  const node = NODE_RELEASES[major];
  const target = join(cacheDir(), `debian-${DEBIAN_ROOT.suite}-node-${node.version}-npm-${NPM_RELEASE.version}.tar`);
  if (existsSync(target)) return target;
  const inputs = await runtimeInputs(major);
  const npm = await npmTarball();
  const dir = await mkdtemp(join(tmpdir(), 'meshpush-base-'));
  const partial = `${target}.partial-${process.pid}.tar`;
  try {
    await sh('tar', ['-xf', inputs.rootfsTar, '-C', dir]);
    const local = join(dir, 'usr/local');
    await mkdir(join(local, 'bin'), { recursive: true });
    await mkdir(join(local, 'lib/node_modules/npm'), { recursive: true });
    await sh('tar', ['-xzf', inputs.nodeTarball, '-C', join(local, 'bin'), '--strip-components=2', 'package/bin/node']);
    await sh('tar', ['-xzf', npm, '-C', join(local, 'lib/node_modules/npm'), '--strip-components=1']);
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin/npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin/npx'));
    await sh('tar', ['--numeric-owner', '-cf', partial, '-C', dir, '.']);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
    await rm(dir, { recursive: true, force: true });
  }
  return target;
}
