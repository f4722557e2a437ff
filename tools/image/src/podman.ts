import { baseImageTar, ensureDebianPackages, sh, type NodeMajor } from '@meshpush/runtimes';
import { basename } from 'node:path';

/** podman as these machines need it: crun fails on their rlimits and hybrid cgroups. */
export const PODMAN_GLOBAL = ['--runtime', 'runc'];
/** Lowered limits every build and run gets (the defaults exceed what these hosts allow). */
export const ULIMITS = ['--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=4096:4096'];

/** Runs `podman <args>` with the global flags; resolves with stdout. */
export function podman(args: readonly string[], timeoutMs = 600_000): Promise<string> {
  return sh('podman', [...PODMAN_GLOBAL, ...args], { timeoutMs });
}

/** Installs podman and runc with apt-get when missing. */
export function ensurePodman(): Promise<void> {
  return ensureDebianPackages({ podman: 'podman', runc: 'runc' });
}

/**
 * Makes the default base of the Containerfile exist locally without a registry: the cached
 * Debian 13 root with Node and npm, imported and tagged with the official image's name. The
 * label names the archive, so a base from other inputs is replaced.
 */
export async function ensureBaseImage(major: NodeMajor, name: string): Promise<void> {
  const tar = await baseImageTar(major);
  const label = basename(tar, '.tar');
  const current = await podman(['image', 'inspect', '--format', '{{index .Labels "org.meshpush.base"}}', name]).catch(
    () => '',
  );
  if (current.trim() === label) return;
  await podman([
    'import',
    '--change',
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '--change',
    'CMD ["node"]',
    '--change',
    `LABEL org.meshpush.base=${label}`,
    tar,
    name,
  ]);
}
